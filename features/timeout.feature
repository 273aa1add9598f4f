@tabby @timeout @poll
Feature: Abandoned checkouts expire
  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: with no
  # customer action the payment turns EXPIRED some minutes after the session
  # timeout (20 + 5 here, as the page once said); a cron job calling
  # Retrieve finds it and the order is cancelled.
  Scenario: An abandoned checkout expires and the order is cancelled
    Given the customer checks out 100.00 AED
    When the customer abandons the checkout
    And the clock advances 26 minutes
    And the merchant's reconciliation job runs
    Then the simulator recorded that the customer left the hosted page
    And the payment is EXPIRED
    And the order is cancelled
    And the merchant made no capture request

  # docs.tabby.ai/pay-in-4-custom-integration/webhooks: a merchant can ask
  # Tabby for "expired" webhooks; with them the order is cancelled as soon
  # as the payment expires.
  @webhook
  Scenario: An expired webhook cancels the order
    Given Tabby sends the optional expired webhooks
    And the customer checks out 100.00 AED
    When the customer abandons the checkout
    And the clock advances 26 minutes
    Then the simulator recorded that the customer left the hosted page
    And the payment is EXPIRED
    And the simulator delivered the expired webhook
    And the order is cancelled
    And every webhook was acknowledged with 200
