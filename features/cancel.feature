@tabby @cancel
Feature: The merchant cancels an order
  A shop's back office cancels orders it believes unpaid. Tabby's Close a
  payment (docs.tabby.ai/api-reference/payments/close-a-payment): "If an
  order is fully cancelled, please close the payment without capturing it";
  Tabby's Payment processing
  (docs.tabby.ai/pay-in-4-custom-integration/payment-processing): a payment
  authorized and left uncaptured is captured by Tabby after 21 days. So a
  cancel in the shop is a close at Tabby.

  # The customer paid, but neither the redirect nor the webhooks reached
  # the shop, which cancels the order it believes pending. Either outcome is
  # consistent: the payment is closed and never captured, even once
  # Tabby's auto-capture falls due 21 days after the authorization; or the shop finds the payment authorized, refuses the cancel and
  # fulfils the order. An order cancelled while Tabby captures the money is
  # not.
  @webhook @timeout
  Scenario: A merchant cancel of an order paid unseen
    Given webhooks are lost on the way
    And the customer checks out 100.00 AED
    When the customer pays but closes the tab before the redirect
    And the merchant cancels the order
    And the clock advances 22 days
    Then the simulator lost every webhook on the way
    And the simulator recorded that the customer closed the tab before the redirect
    And Tabby's auto-capture of the payment fell due
    And either the order is cancelled and Tabby captured nothing, or the order is paid and captured once
