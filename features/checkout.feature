@tabby
Feature: Checkout with Tabby
  The merchant creates a session, sends the customer to Tabby's hosted page,
  and fulfils the order only once Tabby has authorized the payment. Each
  scenario names the public page or RULES.md rule it checks.

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: on the
  # success URL, retrieve the payment, proceed only on AUTHORIZED, and
  # capture it. docs.tabby.ai/pay-in-4-custom-integration/webhooks: webhooks
  # are acknowledged with HTTP 200. Tabby's testing guidelines: the store's
  # Thank you page appears. Create a session: order.reference_id is the
  # merchant's order number.
  @capture @redirect @webhook
  Scenario: A successful checkout is captured once
    Given the customer checks out 100.00 AED
    Then the merchant sent Tabby the order's reference, amount and currency
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the customer was shown a page, not an error
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid
    And every webhook was acknowledged with 200

  # docs.tabby.ai/pay-in-4-custom-integration/checkout-flow and
  # docs.tabby.ai/testing-guidelines/testing-credentials: a pre-scoring
  # rejection means Tabby is hidden or its reason shown; nothing is
  # captured.
  Scenario Outline: Pre-scoring rejection hides Tabby
    Given the customer checks out <amount> AED with the phone "<phone>"
    Then Tabby rejected the customer at pre-scoring with "<reason>"
    And Tabby is not offered and the reason "<reason>" is shown
    And the merchant made no capture request

    Examples: Tabby's rejected test phone, in every format it accepts
      | amount | phone         | reason        |
      | 100.00 | +971500000002 | not_available |
      | 100.00 | 971500000002  | not_available |
      | 100.00 | 0500000002    | not_available |
      | 100.00 | 500000002     | not_available |

    Examples: amounts outside the merchant's limits
      | amount   | phone         | reason                |
      | 5.00     | +971500000001 | order_amount_too_low  |
      | 30000.00 | +971500000001 | order_amount_too_high |

  # docs.tabby.ai/testing-guidelines/testing-credentials:
  # otp.rejected@tabby.ai is declined after the OTP and sent to the failure
  # URL, which shows the reason; the payment is REJECTED.
  @redirect
  Scenario: Rejection on the hosted page
    Given the customer checks out 100.00 AED as "otp.rejected@tabby.ai"
    When the customer pays on the hosted page
    Then the customer was shown a page, not an error
    And the payment is REJECTED
    And the order is failed
    And the merchant made no capture request

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: the cancel
  # URL means EXPIRED; docs.tabby.ai/testing-guidelines/testing-credentials:
  # the cart, shown with the reason, must not be emptied.
  @redirect
  Scenario: Cancellation on the hosted page
    Given the customer checks out 100.00 AED
    When the customer cancels on the hosted page
    Then the customer was shown a page, not an error
    And the payment is EXPIRED
    And the order is cancelled
    And the merchant made no capture request

  # docs.tabby.ai/pay-in-4-custom-integration/quick-start step 4 and
  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: do not
  # rely on redirect URLs or query parameters; verify the status with the
  # Retrieve request.
  @redirect
  Scenario: A success redirect without a payment is not trusted
    Given the customer checks out 100.00 AED
    When the customer opens the success page without paying
    Then the payment is CREATED
    And the order is pending
    And the merchant made no capture request
