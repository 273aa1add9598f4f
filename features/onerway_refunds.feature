@onerway @refund
Feature: Refunds through Onerway
  docs.onerway.com/apis/en/v0.6/refund and
  docs.onerway.com/apis/en/v0.6/transaction-notification: the shop applies
  for a refund with onlineRefund; the refund is a transaction of its own, I
  until Onerway's audit passes it (S, notified as TXN with txnType REFUND)
  or rejects it (F, notified as REFUND_AUDIT). Full or partial, never beyond
  what is left; the order counts a refund once the audit passed.

  # docs.onerway.com/apis/en/v0.6/refund: partial refunds add up to a full
  # one, each after its audit (an hour on the merchant's clock in the
  # simulator).
  @webhook
  Scenario: A partial refund, then the rest, each after Onerway's audit
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the merchant refunds 100.00
    Then the refund is pending Onerway's audit
    And the order is paid
    When the clock advances 1 hour
    Then the gateway refunded 100.00 in total
    And the order is partially_refunded
    When the merchant refunds 150.00
    And the clock advances 1 hour
    Then the gateway refunded 250.00 in total
    And the order is refunded
    And every notification was acknowledged with its transactionId

  # docs.onerway.com/apis/en/v0.6/transaction-notification: an audit failure
  # arrives as REFUND_AUDIT with status F; nothing was refunded. A refund of
  # an amount ending in .13 fails the simulator's audit.
  @webhook
  Scenario: A refund Onerway's audit rejects refunds nothing
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the merchant refunds 10.13
    And the clock advances 1 hour
    Then Onerway's audit rejected the refund
    And the gateway refunded 0.00 in total
    And the order is paid
    And every notification was acknowledged with its transactionId

  # RULES.md R-OW-REFUND-WITHIN-PAID: never beyond what is left, counting
  # the refunds still under audit.
  Scenario: A refund beyond what is left is never requested
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the merchant refunds 200.00
    And the merchant refunds 100.00
    And the clock advances 1 hour
    Then no refund request exceeded what was paid
    And the gateway refunded 200.00 in total
    And the order is partially_refunded
