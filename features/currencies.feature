@tabby
Feature: Every currency Tabby takes
  docs.tabby.ai/introduction/technical-requirements: Tabby takes AED and SAR
  with up to 2 decimals and KWD with up to 3, each under its own merchant
  code. The merchant charges, captures and refunds exactly what was asked,
  to the last fils, halala or fils of a dinar. A shop that does not sell in
  a currency leaves its examples out by tag (--tags "not @kwd").

  # docs.tabby.ai/pay-in-4-custom-integration/payment-processing: on the
  # success URL, retrieve the payment, proceed only on AUTHORIZED, and
  # capture it, in the payment's currency.
  @capture @redirect @webhook
  Scenario Outline: A checkout in <currency> is captured once
    Given the customer checks out <amount> <currency>
    Then the merchant sent Tabby the order's reference, amount and currency
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the merchant captured <amount> exactly once
    And the payment is CLOSED
    And the order is paid
    And every webhook was acknowledged with 200

    @aed
    Examples: UAE dirhams
      | currency | amount |
      | AED      | 249.99 |

    @sar
    Examples: Saudi riyals
      | currency | amount  |
      | SAR      | 1250.75 |

    @kwd
    Examples: Kuwaiti dinars, three decimals
      | currency | amount |
      | KWD      | 80.125 |

  # docs.tabby.ai/pay-in-4-custom-integration/payment-statuses: a CLOSED
  # payment is refunded in parts, each exact, never beyond what was
  # captured.
  @refund
  Scenario Outline: A partial refund in <currency> is exact
    Given the customer checks out <amount> <currency>
    And the customer pays on the hosted page
    And webhooks are delivered
    When the merchant refunds <refund>
    Then the payment has refunds totalling <refund>
    And the order is partially_refunded

    @aed
    Examples: UAE dirhams
      | currency | amount | refund |
      | AED      | 249.99 | 0.99   |

    @sar
    Examples: Saudi riyals
      | currency | amount  | refund |
      | SAR      | 1250.75 | 0.75   |

    @kwd
    Examples: Kuwaiti dinars, three decimals
      | currency | amount | refund |
      | KWD      | 80.125 | 0.125  |

  # Refund a payment (docs.tabby.ai/api-reference/payments/refund-a-payment):
  # reference_id is the refund's idempotency key, and "full and multiple
  # partial refunds are supported" (docs.tabby.ai/pay-in-4-custom-integration/
  # payment-statuses). Two partial refunds of one order are two operations,
  # each with its own reference_id, each exact for a price that is not a
  # round number.
  @capture @refund
  Scenario Outline: Two partial refunds in <currency> are two exact operations
    Given the customer checks out 3 × <price> <currency>
    Then the merchant sent Tabby the order's reference, amount and currency
    When the customer pays on the hosted page
    And webhooks are delivered
    When the merchant refunds <price>
    And the merchant refunds <second>
    Then the merchant captured <total> exactly once
    And each refund reached Tabby as asked, with its own reference_id
    And the payment has refunds totalling <refunded>
    And the order is partially_refunded

    @aed
    Examples: UAE dirhams
      | currency | price | total | second | refunded |
      | AED      | 19.99 | 59.97 | 10.01  | 30.00    |

    @sar
    Examples: Saudi riyals
      | currency | price | total | second | refunded |
      | SAR      | 4.35  | 13.05 | 0.65   | 5.00     |

    @kwd
    Examples: Kuwaiti dinars, three decimals
      | currency | price | total | second | refunded |
      | KWD      | 1.005 | 3.015 | 0.010  | 1.015    |
