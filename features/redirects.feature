@tabby @redirect
Feature: Redirects prove nothing, in any direction
  Tabby's Quick Start
  (docs.tabby.ai/pay-in-4-custom-integration/quick-start), step 4: "Always
  verify the payment status on your backend using Tabby API or webhooks. Do
  not rely solely on redirect URLs or query parameters." The customer's
  browser may come back with another payment's id, to the wrong page, or
  after the webhook did the work; each time the shop retrieves its own
  order's payment, and shows the customer a page.

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: retrieve
  # the payment_id received at session creation; the one in the URL is
  # whatever the browser says.
  Scenario: A success redirect naming another order's payment is not trusted
    Given the customer paid for an earlier order of 100.00 AED
    And the customer checks out 100.00 AED
    When the customer opens the success page with the earlier order's payment
    Then the payment is CREATED
    And the order is pending
    And the merchant made no capture request

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: the cancel
  # and failure URLs mean EXPIRED and REJECTED only when Retrieve says so; a
  # paid order stays paid.
  Scenario Outline: The <page> page opened after paying changes nothing
    Given the customer checks out 100.00 AED
    And the customer pays on the hosted page
    And webhooks are delivered
    When the customer opens the <page> page of the payment
    Then the customer was shown a page, not an error
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid

    Examples:
      | page    |
      | cancel  |
      | failure |

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: "If the
  # order was already completed (e.g., after success redirection) ... no
  # action is required"; the other way round too: the webhook led to the
  # capture, then the customer's browser arrives.
  @webhook @capture
  Scenario: A redirect that arrives after the webhook's capture
    Given the customer checks out 100.00 AED
    When the customer pays but the redirect is slow
    And webhooks are delivered
    Then the merchant captured 100.00 exactly once
    When the slow redirect reaches the merchant
    Then the customer was shown a page, not an error
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid
