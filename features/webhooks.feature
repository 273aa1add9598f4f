@tabby @webhook
Feature: Webhooks are notifications, not truth
  docs.tabby.ai/pay-in-4-custom-integration/webhooks and
  docs.tabby.ai/introduction/faq: webhooks are asynchronous, their order is
  not guaranteed, they can be duplicated, and their only authentication is
  the header registered with them; to verify a payment, retrieve it.

  # docs.tabby.ai/pay-in-4-custom-integration/webhooks: idempotency might
  # lead to duplicate notifications; a duplicate is acknowledged with 200
  # like any webhook, and changes nothing.
  @duplicate @capture
  Scenario: Every webhook arrives twice
    Given every webhook is delivered twice
    And the customer checks out 100.00 AED
    When the customer pays but closes the tab before the redirect
    And webhooks are delivered
    Then the simulator delivered every webhook twice
    And the simulator recorded that the customer closed the tab before the redirect
    And the merchant captured 100.00 exactly once
    And the payment is CLOSED
    And the order is paid
    And every webhook was acknowledged with 200

  # docs.tabby.ai/pay-in-4-custom-integration/webhooks: a capture event
  # might be delivered after an authorization event, and the other way
  # round. Here the authorization arrives after the capture, and the close
  # event without the refund after the refund: a stale webhook never sets
  # the order back.
  @capture @refund
  Scenario: Webhooks arrive out of order
    Given webhooks arrive out of order
    And the customer checks out 100.00 AED
    When the customer pays on the hosted page
    And webhooks are delivered
    And the merchant refunds 100.00
    And webhooks are delivered
    Then the simulator delivered a webhook after the payment's next event
    And the merchant captured 100.00 exactly once
    And the payment has refunds totalling 100.00
    And the order is refunded
    And every webhook was acknowledged with 200

  # RULES.md R-WEBHOOK-AUTH: the registered header authenticates Tabby's
  # webhooks; a request without it is refused and changes nothing.
  Scenario: A forged webhook is refused
    Given the customer checks out 100.00 AED
    When a forged webhook announces the payment as authorized
    Then the webhook sent was forged
    And the forged webhook was refused
    And the payment is CREATED
    And the order is pending
    And the merchant made no capture request

  # docs.tabby.ai/introduction/faq: treat webhooks as notifications only;
  # verify the payment with the Retrieve request before acting.
  Scenario: A webhook that disagrees with the payment is verified first
    Given the customer checks out 100.00 AED
    When an authentic webhook claims the payment is authorized although it is not
    Then the webhook sent was authentic but disagreed with the payment
    And the merchant retrieved the payment
    And the order is pending
    And the merchant made no capture request
