@onerway
Feature: Tabby through the Onerway gateway
  docs.onerway.com/apis/en/v0.6/tabby: the merchant signs a doTransaction
  for Tabby (productType LPMS, lpmsInfo tabby, every product typed physical
  or virtual), sends the customer to the redirectUrl of the answer (status
  R), and learns the outcome from the signed TXN notification, which it
  acknowledges with the transactionId, or from /v1/txn/list.

  # docs.onerway.com/apis/en/v0.6/tabby: virtual goods need no logistics;
  # the notification is answered with HTTP 200 and the transactionId.
  # docs.onerway.com/apis/en/v0.6/sign: the sign covers the nested JSON
  # strings exactly as sent.
  @redirect @webhook
  Scenario: Virtual goods are paid through the cashier
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the transaction is S
    And the payment is CLOSED
    And the order is paid
    And every notification was acknowledged with its transactionId
    And the gateway took the goods as virtual
    And the merchant uploaded no logistics
    And the settlement is scheduled

  # docs.onerway.com/apis/en/v0.6/tabby: physical goods need the billing
  # phone and the shipping address; Onerway takes SAR and AED.
  @redirect @webhook
  Scenario: Physical goods in dirhams are paid through the cashier
    Given the customer checks out 180.50 AED of physical goods
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the transaction is S
    And the order is paid
    And every notification was acknowledged with its transactionId
    And the gateway took the goods as physical
    And the settlement is awaiting_logistics

  # docs.tabby.ai/testing-guidelines/testing-credentials:
  # otp.rejected@tabby.ai is declined after the OTP; the gateway makes the
  # transaction F and notifies it.
  @redirect @webhook
  Scenario: Tabby declines the customer behind the cashier
    Given the customer checks out 250.00 SAR of virtual goods as "otp.rejected@tabby.ai"
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the transaction is F
    And the order is failed
    And every notification was acknowledged with its transactionId

  # RULES.md R-OW-REDIRECT: a payment declined at once (Tabby's pre-scoring
  # rejects the test phone ending in 2) has no redirectUrl: the customer
  # pays another way.
  Scenario: A payment declined at once sends the customer nowhere
    Given the customer checks out 250.00 SAR of virtual goods with the phone "+966500000002"
    Then the gateway declined the payment at once
    And the customer was sent to no cashier
    And the order is failed

  # The customer cancels on Tabby's page: the transaction is F, and the
  # customer back at the shop sees it failed.
  @redirect @webhook
  Scenario: The customer cancels behind the cashier
    Given the customer checks out 250.00 SAR of virtual goods
    When the customer cancels on the hosted page
    And webhooks are delivered
    Then the transaction is F
    And the order is failed
    And every notification was acknowledged with its transactionId

  # RULES.md R-OW-MERCHANT-TXN-ID: merchantTxnId identifies one payment;
  # Onerway refuses one used before. The customer's second try is a new
  # order with a merchantTxnId of its own.
  @redirect
  Scenario: A new order after a cancelled payment has a merchantTxnId of its own
    Given the customer checks out 250.00 SAR of virtual goods
    And the customer cancels on the hosted page
    When the customer checks out 250.00 SAR of virtual goods
    And the customer pays on the hosted page
    Then every merchantTxnId the merchant sent was new
    And the transaction is S
    And the order is paid

  # docs.onerway.com/apis/en/v0.6/tabby: Tabby through Onerway takes 0.10 to
  # 10,000.00; the gateway refuses other amounts with its own respCode, and
  # the shop fails the order without sending the customer anywhere.
  Scenario Outline: The gateway refuses an amount outside Tabby's limits
    Given the customer tries to check out <amount> SAR of virtual goods
    Then the gateway refused the payment with respCode 40005
    And the customer was sent to no cashier
    And the order is failed

    Examples:
      | amount   |
      | 0.05     |
      | 10000.01 |
