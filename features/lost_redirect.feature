@tabby @redirect
Feature: The customer never comes back
  Tabby marks a payment AUTHORIZED once the downpayment is confirmed, even
  when the browser never reaches the success URL.

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: webhooks
  # are required for the corner case of a payment authorized without a
  # redirect; process the order and capture it.
  @webhook @capture
  Scenario: The customer closes the tab after paying
    Given the customer checks out 100.00 AED
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    Then the simulator recorded that the customer closed the tab before the redirect
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: the
  # alternative to webhooks is a cron job that retrieves non-completed
  # payments every couple of minutes.
  @webhook @poll @capture
  Scenario: The redirect and the webhooks are both lost
    Given webhooks are lost on the way
    And the customer checks out 100.00 AED
    When the customer pays but closes the tab before the redirect
    And the clock advances 2 minutes
    And the merchant's reconciliation job runs
    Then the simulator lost every webhook on the way
    And the simulator recorded that the customer closed the tab before the redirect
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: the cron
  # job retrieves the payment "every couple of minutes until receiving one
  # of these statuses": AUTHORIZED, REJECTED, EXPIRED. A payment still
  # CREATED at one run is retrieved again at the next.
  @webhook @poll @capture
  Scenario: Polling continues until the payment is final
    Given webhooks are lost on the way
    And the customer checks out 100.00 AED
    When the merchant's reconciliation job runs
    Then the merchant retrieved the payment while it was CREATED
    When the customer pays but closes the tab before the redirect
    And the clock advances 2 minutes
    And the merchant's reconciliation job runs
    Then the simulator lost every webhook on the way
    And the simulator recorded that the customer closed the tab before the redirect
    And the merchant retrieved the payment while it was AUTHORIZED
    And the merchant captured 100.00 exactly once
    And the order is paid
