@onerway @logistics
Feature: Logistics of physical goods through Onerway
  docs.onerway.com/apis/en/v0.6/tabby: physical goods settle only after the
  shop uploads the signed-for delivery, once the payment succeeded and
  within 30 days after the delivery; virtual goods settle without it.

  # docs.onerway.com/apis/en/v0.6/tabby: upload the delivery after the
  # payment succeeded, within 30 days; the payment then settles (7 days
  # later in the simulator), never overdue.
  @webhook
  Scenario: The delivery of paid physical goods is uploaded
    Given the customer checks out 250.00 SAR of physical goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the package is delivered
    Then the merchant uploaded the logistics within 30 days after the delivery
    And every logistics upload was accepted
    And the settlement is scheduled
    When the clock advances 31 days
    Then the settlement is settled

  # docs.onerway.com/apis/en/v0.6/tabby: physical goods orders must reach
  # success before their logistics are uploaded; a package that arrives
  # first waits for it.
  @webhook
  Scenario: Logistics wait for the payment's success
    Given the customer checks out 250.00 SAR of physical goods
    When the package is delivered
    And the customer pays on the hosted page
    And webhooks are delivered
    Then every logistics upload was accepted
    And the merchant uploaded the logistics within 30 days after the delivery
    And the settlement is scheduled

  # RULES.md R-OW-LOGISTICS-WITHIN-30-DAYS: more than 30 days after the
  # delivery, the upload is refused.
  @webhook
  Scenario: Logistics uploaded more than 30 days after the delivery are refused
    Given the customer checks out 250.00 SAR of physical goods
    When the customer pays on the hosted page
    And webhooks are delivered
    And the clock advances 32 days
    And the merchant learns the package was delivered 31 days ago
    Then the gateway refused the logistics as more than 30 days after the delivery
    And the settlement is overdue
    And the order is paid
