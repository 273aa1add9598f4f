@onerway
Feature: Through Onerway, the returnUrl proves nothing
  docs.onerway.com/apis/en/v0.6/tabby: always rely on the notification for
  the payment's status; the redirect back to the shop may not reflect the
  outcome. A shop that queries the transaction (/v1/txn/list) after the
  redirect, or when no notification came, does it right.

  # docs.onerway.com/apis/en/v0.6/tabby: the returnUrl's transactionId,
  # status and merchantTxnId are not proof of payment.
  @redirect
  Scenario: A returnUrl saying success before payment is not trusted
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer opens the success page without paying
    Then the transaction is R
    And the order is pending

  # docs.onerway.com/apis/en/v0.6/tabby: the notification decides; a
  # returnUrl saying S after Tabby declined changes nothing.
  @redirect @webhook
  Scenario: The returnUrl says success while the notification says failure
    Given the customer checks out 250.00 SAR of virtual goods as "otp.rejected@tabby.ai"
    When the customer pays on the hosted page
    And webhooks are delivered
    And the customer opens a returnUrl saying the payment succeeded
    Then the transaction is F
    And the order is failed

  # docs.onerway.com/apis/en/v0.6/tabby: the notification reaches the shop
  # whether or not the browser comes back.
  @webhook
  Scenario: Through Onerway, the customer closes the tab after paying
    Given the customer checks out 250.00 SAR of physical goods
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    Then the simulator recorded that the customer closed the tab before the redirect
    And the order is paid
    And every notification was acknowledged with its transactionId

  # docs.onerway.com/apis/en/v0.6/tabby (Transaction Status Polling): with
  # neither the redirect nor the notifications, the shop's job that queries
  # open transactions finds the payment.
  @webhook @poll
  Scenario: Through Onerway, the redirect and the notifications are both lost
    Given webhooks are lost on the way
    And the customer checks out 250.00 SAR of virtual goods
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    And the merchant's reconciliation job runs
    Then the simulator lost every webhook on the way
    And the simulator recorded that the customer closed the tab before the redirect
    And the merchant queried the transaction
    And the order is paid

  # docs.onerway.com/apis/en/v0.6/tabby asks for a timeout scenario;
  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: Tabby's
  # session expires after 20 minutes and the payment some minutes later (5
  # here); the gateway makes the transaction F and notifies it.
  @timeout @webhook
  Scenario: Through Onerway, an abandoned checkout times out
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer abandons the checkout
    And the clock advances 26 minutes
    Then the simulator recorded that the customer left the hosted page
    And the payment is EXPIRED
    And the transaction is F
    And the order is failed
    And every notification was acknowledged with its transactionId
