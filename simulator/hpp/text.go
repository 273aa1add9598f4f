package hpp

// text is every string the hosted page shows, one table per language, so a
// page never mixes languages.
type text struct {
	Brand, Title, Sandbox string

	Summary, Merchant, Reference, Total, Customer, Email, Item, Quantity, UnitPrice string

	PhoneStep, PhoneHelp, PhoneLabel, PhoneRequired, Continue string

	CodeStep, CodeSentTo, CodeLabel, CodeHint, Verify, WrongCode, CodeFirst string

	PayStep, PayHelp, Pay, PayCloseTab, Cancel string

	NotFoundTitle, NotFound string

	Expired, Cancelled, AlreadyAuthorized, AlreadyClosed, Declined string

	Unavailable, ReasonNotAvailable, ReasonTooHigh, ReasonTooLow string

	Done, CloseTab, Authorized, Rejected, BackToShop string

	ErrorTitle, BadRequest, MethodNotAllowed, Internal string
}

var english = text{
	Brand:   "tabby",
	Title:   "Pay with Tabby",
	Sandbox: "Sandbox checkout: no real money moves.",

	Summary:   "Order summary",
	Merchant:  "Merchant",
	Reference: "Order reference",
	Total:     "Total",
	Customer:  "Customer",
	Email:     "Email",
	Item:      "Item",
	Quantity:  "Qty",
	UnitPrice: "Unit price",

	PhoneStep:     "Your phone number",
	PhoneHelp:     "We will send a one-time code to this number.",
	PhoneLabel:    "Phone number",
	PhoneRequired: "Enter your phone number.",
	Continue:      "Continue",

	CodeStep:   "Verification code",
	CodeSentTo: "Enter the code we sent to",
	CodeLabel:  "Code",
	CodeHint:   "In the sandbox the code is always 8888.",
	Verify:     "Verify",
	WrongCode:  "Wrong code. In the sandbox the code is always 8888.",
	CodeFirst:  "Enter the verification code before paying.",

	PayStep:     "Confirm your payment",
	PayHelp:     "“Pay and close the tab” authorizes the payment but never returns to the shop, as when a customer closes the tab before the redirect.",
	Pay:         "Pay",
	PayCloseTab: "Pay and close the tab",
	Cancel:      "Cancel",

	NotFoundTitle: "Session not found",
	NotFound:      "This checkout session does not exist.",

	Expired:           "This checkout session has expired.",
	Cancelled:         "This payment was cancelled.",
	AlreadyAuthorized: "This payment is already authorized.",
	AlreadyClosed:     "This payment is already complete.",
	Declined:          "This payment was declined.",

	Unavailable:        "Tabby is not available for this order.",
	ReasonNotAvailable: "Tabby cannot offer a payment plan for this purchase.",
	ReasonTooHigh:      "The order amount is above the maximum for paying with Tabby.",
	ReasonTooLow:       "The order amount is below the minimum for paying with Tabby.",

	Done:       "Payment complete",
	CloseTab:   "Your payment is complete. You can close this tab now.",
	Authorized: "Your payment is authorized.",
	Rejected:   "Tabby could not approve this payment.",
	BackToShop: "You can return to the shop.",

	ErrorTitle:       "Error",
	BadRequest:       "The request could not be understood.",
	MethodNotAllowed: "This page does not accept that kind of request.",
	Internal:         "Something went wrong on our side. Please try again.",
}

var arabic = text{
	Brand:   "تابي",
	Title:   "ادفع باستخدام تابي",
	Sandbox: "دفع تجريبي: لا تُنقل أي أموال حقيقية.",

	Summary:   "ملخص الطلب",
	Merchant:  "التاجر",
	Reference: "رقم الطلب",
	Total:     "المجموع",
	Customer:  "العميل",
	Email:     "البريد الإلكتروني",
	Item:      "المنتج",
	Quantity:  "الكمية",
	UnitPrice: "سعر الوحدة",

	PhoneStep:     "رقم هاتفك",
	PhoneHelp:     "سنرسل رمزًا لمرة واحدة إلى هذا الرقم.",
	PhoneLabel:    "رقم الهاتف",
	PhoneRequired: "أدخل رقم هاتفك.",
	Continue:      "متابعة",

	CodeStep:   "رمز التحقق",
	CodeSentTo: "أدخل الرمز الذي أرسلناه إلى",
	CodeLabel:  "الرمز",
	CodeHint:   "في بيئة الاختبار، الرمز دائمًا 8888.",
	Verify:     "تحقّق",
	WrongCode:  "رمز غير صحيح. في بيئة الاختبار، الرمز دائمًا 8888.",
	CodeFirst:  "أدخل رمز التحقق قبل الدفع.",

	PayStep:     "تأكيد الدفع",
	PayHelp:     "«ادفع وأغلق علامة التبويب» يفوّض الدفعة دون العودة إلى المتجر، كما لو أغلق العميل علامة التبويب قبل إعادة التوجيه.",
	Pay:         "ادفع",
	PayCloseTab: "ادفع وأغلق علامة التبويب",
	Cancel:      "إلغاء",

	NotFoundTitle: "الجلسة غير موجودة",
	NotFound:      "جلسة الدفع هذه غير موجودة.",

	Expired:           "انتهت صلاحية جلسة الدفع هذه.",
	Cancelled:         "تم إلغاء هذه الدفعة.",
	AlreadyAuthorized: "تم تفويض هذه الدفعة بالفعل.",
	AlreadyClosed:     "اكتملت هذه الدفعة بالفعل.",
	Declined:          "تم رفض هذه الدفعة.",

	Unavailable:        "تابي غير متاح لهذا الطلب.",
	ReasonNotAvailable: "لا يستطيع تابي تقديم خطة دفع لهذا الطلب.",
	ReasonTooHigh:      "مبلغ الطلب أعلى من الحد الأقصى للدفع عبر تابي.",
	ReasonTooLow:       "مبلغ الطلب أقل من الحد الأدنى للدفع عبر تابي.",

	Done:       "تم الدفع",
	CloseTab:   "اكتملت دفعتك. يمكنك إغلاق علامة التبويب الآن.",
	Authorized: "تم تفويض دفعتك.",
	Rejected:   "لم يتمكن تابي من الموافقة على هذه الدفعة.",
	BackToShop: "يمكنك العودة إلى المتجر.",

	ErrorTitle:       "خطأ",
	BadRequest:       "تعذّر فهم الطلب.",
	MethodNotAllowed: "هذه الصفحة لا تقبل هذا النوع من الطلبات.",
	Internal:         "حدث خطأ من جانبنا. يُرجى المحاولة مرة أخرى.",
}

// language returns the page language, its direction and its strings;
// anything but "ar" is English, the session's default.
func language(lang string) (code, dir string, t *text) {
	if lang == "ar" {
		return "ar", "rtl", &arabic
	}
	return "en", "ltr", &english
}
