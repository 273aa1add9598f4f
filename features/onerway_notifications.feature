@onerway @webhook
Feature: Onerway's notifications
  docs.onerway.com/apis/en/v0.6/tabby and
  docs.onerway.com/apis/en/v0.6/transaction-notification: a notification is
  signed over every field but nine; the shop verifies the sign on the body
  as received, processes each transactionId once, and acknowledges with HTTP
  200 and the transactionId. Anything else counts as not received: Onerway
  tries 3 times, 30 minutes apart.

  # docs.onerway.com/apis/en/v0.6/tabby: idempotent webhook processing; a
  # repeated notification is acknowledged like the first and changes
  # nothing.
  @duplicate
  Scenario: Every notification arrives twice
    Given every webhook is delivered twice
    And the customer checks out 250.00 SAR of physical goods
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    Then the simulator delivered every webhook twice
    And the simulator recorded that the customer closed the tab before the redirect
    And every notification was acknowledged with its transactionId
    And the order is paid

  # docs.onerway.com/apis/en/v0.6/transaction-notification: a notification
  # whose sign does not verify is not Onerway's; it is refused, never
  # acknowledged, and changes nothing. The shop's own query still finds the
  # payment.
  @forged @poll
  Scenario: Notifications with a wrong sign are refused
    Given every notification carries a wrong sign
    And the customer checks out 250.00 SAR of virtual goods
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    Then the simulator forged every notification
    And the simulator recorded that the customer closed the tab before the redirect
    And the merchant acknowledged no notification
    And the order is pending
    When the merchant's reconciliation job runs
    Then the order is paid

  # docs.onerway.com/apis/en/v0.6/transaction-notification: a notification
  # made up by someone without the secret key announces a payment the
  # customer never made.
  @forged
  Scenario: A forged notification of success is refused
    Given the customer checks out 250.00 SAR of virtual goods
    When a notification with a wrong sign announces the payment as successful
    Then the webhook sent was forged
    And the merchant refused the notification
    And the transaction is R
    And the order is pending

  # docs.onerway.com/apis/en/v0.6/tabby: Onerway retries what was not
  # acknowledged with the transactionId, 30 minutes apart; one good
  # acknowledgement ends it.
  Scenario: A notification acknowledged with its transactionId is not sent again
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the clock advances 61 minutes
    Then every notification was acknowledged with its transactionId
    And the gateway sent every notification once

  # docs.onerway.com/apis/en/v0.6/tabby: a notification whose
  # acknowledgement never arrived comes again 30 minutes later, and is
  # acknowledged then.
  @timeout
  Scenario: A notification whose first try timed out is acknowledged when it comes again
    Given Onerway gives up waiting for the merchant's answers at once
    And the customer checks out 250.00 SAR of virtual goods
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    And Onerway waits for the merchant's answers as usual again
    And the clock advances 30 minutes
    Then the simulator tried every notification again after its first try timed out
    And the simulator recorded that the customer closed the tab before the redirect
    And every notification was acknowledged with its transactionId
    And the order is paid
