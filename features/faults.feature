@tabby @fault
Feature: Tabby fails, the merchant copes
  The simulator fails on purpose, as Tabby and what stands in front of it
  do, by running one of its shipped scenarios (scenarios/*.json); each
  scenario proves from the simulator's journal that the failure happened
  before it judges the merchant. Captures and refunds are idempotent by
  reference_id, "so you can safely retry them after a connection error"
  (docs.tabby.ai/pay-in-4-custom-integration/payment-processing); Tabby
  rate-limits with 429 (docs.tabby.ai/introduction/technical-requirements);
  Tabby's own Magento plugin guards against answers that are not JSON
  (github.com/tabby-ai/m2-checkout/blob/master/Model/Api/Tabby.php).

  # RULES.md R-CAPTURE-ONCE: Tabby made the capture and answered 500; sent
  # again with the same reference_id, the capture is found, not made twice.
  @capture
  Scenario: A capture that failed after it was made is retried under the same reference_id
    Given the simulator runs the scenario "flaky-captures"
    And the customer checks out 100.00 AED
    When the customer pays on the hosted page
    Then the simulator failed the merchant's capture request on purpose
    And the merchant retried the capture with the same reference_id
    And the payment has exactly one capture of 100.00
    And the order is paid

  # RULES.md R-CAPTURE-ONCE: Tabby made the capture and the connection
  # dropped before the answer: the merchant cannot tell, and sends it again.
  @capture
  Scenario: A capture whose answer was lost is retried under the same reference_id
    Given the simulator runs the scenario "lost-capture-answers"
    And the customer checks out 100.00 AED
    When the customer pays on the hosted page
    Then the simulator failed the merchant's capture request on purpose
    And the merchant retried the capture with the same reference_id
    And the payment has exactly one capture of 100.00
    And the order is paid

  # RULES.md R-REFUND-EXACT: a refund sent again with a new reference_id
  # refunds the customer twice.
  @refund
  Scenario: A refund whose answer was lost is retried under the same reference_id and refunds once
    Given the simulator runs the scenario "lost-refund-answers"
    And the customer checks out 100.00 AED
    And the customer pays on the hosted page
    And webhooks are delivered
    When the merchant refunds 30.00
    Then the simulator failed the merchant's refund request on purpose
    And the merchant retried the refund with the same reference_id
    And the payment has exactly one refund of 30.00
    And the order is partially_refunded

  # docs.tabby.ai/introduction/technical-requirements: Tabby rate-limits
  # create-session calls; a 429 did nothing, and asks to wait before trying
  # again.
  Scenario: A rate-limited request is sent again after Retry-After, not before
    Given the simulator runs the scenario "rate-limiting"
    And the customer checks out 100.00 AED
    When the customer pays on the hosted page
    Then the simulator failed the merchant's checkout request on purpose
    And every request refused with 429 was sent again after its Retry-After, not before
    And the payment has exactly one capture of 100.00
    And the order is paid

  # A web application firewall answers with an HTML page, as Tabby's Magento
  # plugin guards against
  # (github.com/tabby-ai/m2-checkout/blob/master/Model/Api/Tabby.php); the
  # merchant must not take it for a session, nor lose the order.
  Scenario: A firewall page on the checkout neither crashes the merchant nor loses the order
    Given the simulator runs the scenario "firewall-pages"
    When the customer tries to check out 100.00 AED
    Then the simulator failed the merchant's checkout request on purpose
    And the customer is told the checkout failed, or sent to pay
    And the order is kept, not paid

  # A load balancer in front of Tabby gives up and answers 504 in plain
  # text: the customer hears of it, the order is not paid.
  Scenario: A checkout survives a gateway timeout
    Given the simulator runs the scenario "checkout-timeouts"
    When the customer tries to check out 100.00 AED
    Then the simulator failed the merchant's checkout request on purpose
    And the customer is told the checkout failed, or sent to pay
    And the order is kept, not paid
