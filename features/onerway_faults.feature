@onerway @fault
Feature: The Onerway gateway fails, the merchant copes
  Onerway answers every request with HTTP 200 and tells success from failure
  by respCode
  (docs.onerway.com/payments/payment-operations/appendix/error-codes): 11001
  "System exception" means nothing was done. The simulator fails on purpose
  by running the shipped scenarios "onerway-system-errors" (the next payment
  and the next refund answered so) and "lost-refund-answers" (the next
  refund applied for, then its answer lost), and proves from its journal
  that the failure happened before it judges the merchant.

  # docs.onerway.com/payments/payment-operations/appendix/error-codes: a
  # payment answered 11001 was not made; a merchant that reads only the HTTP
  # status would take it for success.
  Scenario: A system error on the payment request is not taken for success
    Given the simulator runs the scenario "onerway-system-errors"
    When the customer tries to check out 100.00 SAR of virtual goods
    Then the simulator failed the merchant's checkout request on purpose
    And the customer is told the checkout failed, or sent to pay
    And the order is kept, not paid

  # RULES.md R-OW-REFUND-EXACT: a refund answered 11001 was not applied for;
  # nothing is refunded, and what was paid is still there to refund.
  @refund @webhook
  Scenario: A system error on the refund request is not taken for a refund
    Given the customer checks out 100.00 SAR of virtual goods
    And the customer pays on the hosted page
    And webhooks are delivered
    And the simulator runs the scenario "onerway-system-errors"
    When the merchant refunds 30.00
    Then the simulator failed the merchant's refund request on purpose
    And the merchant counts no refund Onerway has not made
    And the order is paid
    When the merchant refunds 100.00
    And the clock advances 1 hour
    Then the gateway refunded 100.00 in total
    And the order is refunded

  # RULES.md R-OW-REFUND-EXACT: a refund is named by the merchant's own
  # merchantTxnId, by which /v1/txn/list finds it; applied for again under a
  # new one after a lost answer, it refunds the customer twice.
  @refund @webhook
  Scenario: A refund whose answer was lost is applied for once
    Given the simulator runs the scenario "lost-refund-answers"
    And the customer checks out 100.00 SAR of virtual goods
    And the customer pays on the hosted page
    And webhooks are delivered
    When the merchant refunds 30.00
    Then the simulator failed the merchant's refund request on purpose
    And the merchant applied for the refund once
    When the clock advances 1 hour
    Then the gateway refunded 30.00 in total
    And the order is partially_refunded
