@tabby
Feature: Every currency Tabby takes
  tabby-api.md §1.3: Tabby takes AED and SAR with up to 2 decimals and KWD
  with up to 3, each under its own merchant code. The merchant charges,
  captures and refunds exactly what was asked, to the last fils, halala or
  fils of a dinar. A shop that does not sell in a currency leaves its
  examples out by tag (--tags "not @kwd").

  # Seed 002: on the success URL, retrieve the payment, proceed only on
  # AUTHORIZED, and capture it, in the payment's currency.
  @capture @redirect @webhook
  Scenario Outline: A checkout in <currency> is captured once
    Given the customer checks out <amount> <currency>
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the payment is CLOSED
    And the merchant captured <amount> exactly once
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

  # tabby-api.md §3.7: a CLOSED payment is refunded in parts, each exact,
  # never beyond what was captured.
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
