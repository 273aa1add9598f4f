@tabby @timeout @poll
Feature: Abandoned checkouts expire
  # Seed 002: with no customer action the payment turns EXPIRED after the
  # session timeout plus 5 minutes (20 + 5); a cron job calling Retrieve
  # finds it and the order is cancelled.
  Scenario: An abandoned checkout expires and the order is cancelled
    Given the customer checks out 100.00 AED
    When the customer abandons the checkout
    And the clock advances 26 minutes
    And the merchant's reconciliation job runs
    Then the simulator recorded that the customer left the hosted page
    And the payment is EXPIRED
    And the order is cancelled
    And the merchant made no capture request

  # tabby-api.md §6.3: a merchant can ask Tabby for "expired" webhooks; with
  # them the order is cancelled as soon as the payment expires.
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
