@tabby @refund
Feature: Refunds
  docs.tabby.ai/pay-in-4-custom-integration/payment-statuses: only a CLOSED
  payment can be refunded, in full or in parts, and never beyond what was
  captured.

  Background:
    Given the customer checks out 100.00 AED
    And the customer pays on the hosted page
    And webhooks are delivered

  Scenario: A partial refund
    When the merchant refunds 30.00
    Then the payment has refunds totalling 30.00
    And the order is partially_refunded

  Scenario: A full refund
    When the merchant refunds 100.00
    Then the payment has refunds totalling 100.00
    And the order is refunded

  Scenario: A refund beyond the captured amount is never requested
    When the merchant refunds 150.00
    Then no refund request exceeded what was captured
    And the payment has refunds totalling 0.00
