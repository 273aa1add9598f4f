@tabby @capture
Feature: Capture rules
  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: capture
  # only AUTHORIZED payments; a capture of a CREATED, EXPIRED, CLOSED or
  # REJECTED payment is an error.
  Scenario: Nothing is captured before authorization
    Given the customer checks out 100.00 AED
    When the customer abandons the checkout
    Then the simulator recorded that the customer left the hosted page
    And the merchant made no capture request

  # docs.tabby.ai/api-reference/payments/capture-a-payment and
  # docs.tabby.ai/api-reference/payments/close-a-payment: a partial capture
  # keeps the payment AUTHORIZED; the merchant closes the rest it will not
  # ship.
  Scenario: A partial shipment is captured and the rest closed
    Given the customer checks out 100.00 AED with 40.00 of it out of stock
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the merchant captured 60.00 exactly once
    And the payment is CLOSED
    And the order is paid

  # docs.tabby.ai/api-reference/payments/capture-a-payment: reference_id is
  # the capture's idempotency key; the merchant hears of the payment three
  # times (redirect, webhook, its own job) and still captures once.
  @poll @duplicate
  Scenario: Hearing of a payment again never captures it again
    Given the customer checks out 100.00 AED
    When the customer pays on the hosted page
    And webhooks are delivered
    And the merchant's reconciliation job runs
    And Tabby resends every webhook of the payment
    Then the simulator delivered every webhook again
    And the merchant captured 100.00 exactly once
    And the order is paid

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: Tabby
  # captures an authorized payment left uncaptured for 21 days; the merchant
  # reconciles the order and does not capture again.
  @timeout @poll
  Scenario: Tabby's auto-capture after 21 days is reconciled
    Given webhooks are lost on the way
    And the customer checks out 100.00 AED
    When the customer pays but closes the tab before the redirect
    And the clock advances 21 days
    And the merchant's reconciliation job runs
    Then the simulator lost every webhook on the way
    And the simulator recorded that the customer closed the tab before the redirect
    And Tabby captured the payment in full
    And the payment is CLOSED
    And the order is paid
