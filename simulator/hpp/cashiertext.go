package hpp

import "github.com/tabbysim/tabbysim/simulator/onerway"

// cashierText is every string the cashier page shows, one table per
// language, as text is for Tabby's page.
type cashierText struct {
	Brand, Title, Sandbox string

	Order, Shop, Reference, Method, Tabby, Item, Quantity, Price string

	Continue, BackToShop string

	Succeeded, Paid, Failed, Declined, Cancelled, TimedOut string

	NotFoundTitle, NotFound, ErrorTitle, MethodNotAllowed, Internal string
}

var cashierEnglish = cashierText{
	Brand:   "Onerway",
	Title:   "Checkout",
	Sandbox: "Sandbox cashier: no real money moves.",

	Order:     "Your order",
	Shop:      "Shop",
	Reference: "Order reference",
	Method:    "Payment method",
	Tabby:     "tabby: buy now, pay later",
	Item:      "Item",
	Quantity:  "Qty",
	Price:     "Price",

	Continue:   "Continue with tabby",
	BackToShop: "Return to the shop",

	Succeeded: "Payment successful",
	Paid:      "Tabby approved your payment.",
	Failed:    "Payment failed",
	Declined:  "Tabby could not approve this payment.",
	Cancelled: "The payment was cancelled.",
	TimedOut:  "The payment was not completed in time.",

	NotFoundTitle:    "Payment not found",
	NotFound:         "This payment does not exist.",
	ErrorTitle:       "Error",
	MethodNotAllowed: "This page does not accept that kind of request.",
	Internal:         "Something went wrong on our side. Please try again.",
}

var cashierArabic = cashierText{
	Brand:   "Onerway",
	Title:   "إتمام الدفع",
	Sandbox: "صفحة دفع تجريبية: لا تُنقل أي أموال حقيقية.",

	Order:     "طلبك",
	Shop:      "المتجر",
	Reference: "رقم الطلب",
	Method:    "طريقة الدفع",
	Tabby:     "تابي: اشترِ الآن وادفع لاحقًا",
	Item:      "المنتج",
	Quantity:  "الكمية",
	Price:     "السعر",

	Continue:   "المتابعة مع تابي",
	BackToShop: "العودة إلى المتجر",

	Succeeded: "تم الدفع بنجاح",
	Paid:      "وافق تابي على دفعتك.",
	Failed:    "فشل الدفع",
	Declined:  "لم يتمكن تابي من الموافقة على هذه الدفعة.",
	Cancelled: "تم إلغاء الدفعة.",
	TimedOut:  "لم تكتمل الدفعة في الوقت المحدد.",

	NotFoundTitle:    "الدفعة غير موجودة",
	NotFound:         "هذه الدفعة غير موجودة.",
	ErrorTitle:       "خطأ",
	MethodNotAllowed: "هذه الصفحة لا تقبل هذا النوع من الطلبات.",
	Internal:         "حدث خطأ من جانبنا. يُرجى المحاولة مرة أخرى.",
}

// cashierLanguage returns the page language, its direction and its
// strings; anything but "ar" is English.
func cashierLanguage(lang string) (code, dir string, t *cashierText) {
	if lang == "ar" {
		return "ar", "rtl", &cashierArabic
	}
	return "en", "ltr", &cashierEnglish
}

// reason says why a payment failed, in the page's language.
func (t *cashierText) reason(r *onerway.Reason) string {
	switch {
	case r == nil:
		return t.Declined
	case r.RespCode == onerway.CancelledByCustomer.Code:
		return t.Cancelled
	case r.RespCode == onerway.TimedOut.Code:
		return t.TimedOut
	}
	return t.Declined
}
