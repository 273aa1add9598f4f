package dashboard

// text is every string the dashboard shows, one table per language, so a
// page never mixes languages. The page carries its table as JSON for the
// script, which names the fields as they are named here. What the control
// API answers (ids, statuses, events, bodies) is shown as it is.
type text struct {
	Title, Subtitle, Loading, NoScript, OtherLanguage string

	// Navigation and the header.
	Payments, Deliveries, Journal, Merchants, ScenariosAndFaults string
	Merchant, Live, Offline                                      string

	// The clock.
	Clock, WallClock, ManualClock, Plus5m, Plus26m, Plus1d, Plus21d, AdvanceTo, Advance, ClockAt string

	// The token.
	TokenTitle, TokenHelp, Token, UseToken string

	// Lists and filters.
	All, Status, Total, Created, Amount, Reference, Buyer, Channel, Direct, ViaOnerway string

	TabbyPayments, OnerwayTransactions, NoPayments, NoTransactions, Payment, Transaction, TabbyPayment, Settlement string

	// A payment's page.
	MerchantCode, Session, Expires, Description, Captured, Refunded string

	CustomerActions, Approve, ApproveWithoutRedirect, Reject, Cancel, Abandon, NoActions string

	Timeline, StateChange, By, APICall, Webhook, Attempt, RequestAndAnswer, Request, Answer, Nothing string

	// Deliveries.
	NoDeliveries, NoAttempts, Resend, Resent, ResendOf, DuplicateOf, Chaos, NextAttempt, URL, Provider string

	At, Accepted, NotAccepted, Error, Empty string

	// The journal.
	NoRequests, RequestID, RealTime, Query, Truncated string

	// Merchants.
	Select, Selected, TabbyKeys, SecretKey, PublicKey, MerchantCodes string

	OnerwayCredentials, MerchantNo, AppID, Now, Mode, Settings string

	// Scenarios and fault rules.
	Scenarios, ScenariosHelp, Scenario, Calm, Applied, FaultRules, RemoveAll, NoRules, AllMerchants string

	Failed string
}

var english = text{
	Title:         "tabbysim dashboard",
	Subtitle:      "Sandbox: no real money moves.",
	Loading:       "Loading…",
	NoScript:      "The dashboard needs JavaScript.",
	OtherLanguage: "العربية",

	Payments:           "Payments",
	Deliveries:         "Webhook deliveries",
	Journal:            "Journal",
	Merchants:          "Merchants",
	ScenariosAndFaults: "Scenarios and faults",
	Merchant:           "Merchant",
	Live:               "Live",
	Offline:            "Not live",

	Clock:       "Clock",
	WallClock:   "follows real time",
	ManualClock: "stands still until advanced",
	Plus5m:      "+5 min",
	Plus26m:     "+26 min",
	Plus1d:      "+1 day",
	Plus21d:     "+21 days",
	AdvanceTo:   "To",
	Advance:     "Advance",
	ClockAt:     "The clock is at",

	TokenTitle: "Control token",
	TokenHelp:  "This simulator was started with --control-token. Enter the token to use the dashboard; it is kept in this tab only.",
	Token:      "Token",
	UseToken:   "Use the token",

	All:        "All",
	Status:     "Status",
	Total:      "Total:",
	Created:    "Created",
	Amount:     "Amount",
	Reference:  "Order reference",
	Buyer:      "Buyer",
	Channel:    "Channel",
	Direct:     "Tabby API",
	ViaOnerway: "Onerway gateway",

	TabbyPayments:       "Tabby payments",
	OnerwayTransactions: "Onerway transactions",
	NoPayments:          "No payments yet.",
	NoTransactions:      "No transactions yet.",
	Payment:             "Payment",
	Transaction:         "Transaction",
	TabbyPayment:        "Tabby payment",
	Settlement:          "Settlement",

	MerchantCode: "Merchant code",
	Session:      "Checkout session",
	Expires:      "Expires",
	Description:  "Description",
	Captured:     "Captured",
	Refunded:     "Refunded",

	CustomerActions:        "Customer actions",
	Approve:                "Approve",
	ApproveWithoutRedirect: "Approve, no redirect",
	Reject:                 "Reject",
	Cancel:                 "Cancel",
	Abandon:                "Abandon",
	NoActions:              "The checkout is over: the customer can no longer act.",

	Timeline:         "Timeline on the merchant's clock",
	StateChange:      "State",
	By:               "by",
	APICall:          "API call",
	Webhook:          "Webhook",
	Attempt:          "Attempt",
	RequestAndAnswer: "Request and answer",
	Request:          "Request",
	Answer:           "Answer",
	Nothing:          "Nothing yet.",

	NoDeliveries: "No webhook deliveries.",
	NoAttempts:   "No attempt yet.",
	Resend:       "Resend",
	Resent:       "Resent as",
	ResendOf:     "Resend of",
	DuplicateOf:  "Duplicate of",
	Chaos:        "Failure injection",
	NextAttempt:  "Next attempt",
	URL:          "URL",
	Provider:     "Provider",

	At:          "At",
	Accepted:    "accepted",
	NotAccepted: "not accepted",
	Error:       "error",
	Empty:       "(empty)",

	NoRequests: "No API requests yet.",
	RequestID:  "Request id",
	RealTime:   "Real time",
	Query:      "Query",
	Truncated:  "Bodies cut to 4 KiB.",

	Select:        "Select",
	Selected:      "selected",
	TabbyKeys:     "Tabby keys",
	SecretKey:     "Secret key",
	PublicKey:     "Public key",
	MerchantCodes: "Merchant codes",

	OnerwayCredentials: "Onerway credentials",
	MerchantNo:         "merchantNo",
	AppID:              "appId",
	Now:                "Now",
	Mode:               "Mode",
	Settings:           "Settings",

	Scenarios:     "Scenarios",
	ScenariosHelp: "A scenario changes the selected merchant's settings; switching one off goes back to calm.",
	Scenario:      "from scenario",
	Calm:          "Back to calm",
	Applied:       "Applied",
	FaultRules:    "Fault rules",
	RemoveAll:     "Remove every rule",
	NoRules:       "No fault rules.",
	AllMerchants:  "every merchant",

	Failed: "Failed:",
}

var arabic = text{
	Title:         "لوحة tabbysim",
	Subtitle:      "بيئة تجريبية: لا تُنقل أي أموال حقيقية.",
	Loading:       "جارٍ التحميل…",
	NoScript:      "تحتاج اللوحة إلى JavaScript.",
	OtherLanguage: "English",

	Payments:           "الدفعات",
	Deliveries:         "إرسال الإشعارات",
	Journal:            "السجل",
	Merchants:          "التجار",
	ScenariosAndFaults: "السيناريوهات والأعطال",
	Merchant:           "التاجر",
	Live:               "مباشر",
	Offline:            "غير مباشر",

	Clock:       "الساعة",
	WallClock:   "تتبع الوقت الحقيقي",
	ManualClock: "متوقفة حتى تُقدَّم",
	Plus5m:      "+5 دقائق",
	Plus26m:     "+26 دقيقة",
	Plus1d:      "+يوم",
	Plus21d:     "+21 يومًا",
	AdvanceTo:   "إلى",
	Advance:     "تقديم",
	ClockAt:     "الساعة عند",

	TokenTitle: "رمز التحكم",
	TokenHelp:  "شُغّل هذا المحاكي مع ‎--control-token. أدخل الرمز لاستخدام اللوحة؛ يُحفظ في علامة التبويب هذه فقط.",
	Token:      "الرمز",
	UseToken:   "استخدم الرمز",

	All:        "الكل",
	Status:     "الحالة",
	Total:      "المجموع:",
	Created:    "أُنشئت",
	Amount:     "المبلغ",
	Reference:  "رقم الطلب",
	Buyer:      "المشتري",
	Channel:    "القناة",
	Direct:     "واجهة تابي",
	ViaOnerway: "بوابة Onerway",

	TabbyPayments:       "دفعات تابي",
	OnerwayTransactions: "معاملات Onerway",
	NoPayments:          "لا توجد دفعات بعد.",
	NoTransactions:      "لا توجد معاملات بعد.",
	Payment:             "الدفعة",
	Transaction:         "المعاملة",
	TabbyPayment:        "دفعة تابي",
	Settlement:          "التسوية",

	MerchantCode: "رمز التاجر",
	Session:      "جلسة الدفع",
	Expires:      "تنتهي",
	Description:  "الوصف",
	Captured:     "المحصَّل",
	Refunded:     "المسترد",

	CustomerActions:        "إجراءات العميل",
	Approve:                "موافقة",
	ApproveWithoutRedirect: "موافقة دون إعادة توجيه",
	Reject:                 "رفض",
	Cancel:                 "إلغاء",
	Abandon:                "ترك الصفحة",
	NoActions:              "انتهت عملية الدفع: لم يعد بإمكان العميل القيام بأي إجراء.",

	Timeline:         "التسلسل الزمني على ساعة التاجر",
	StateChange:      "الحالة",
	By:               "بواسطة",
	APICall:          "طلب API",
	Webhook:          "إشعار",
	Attempt:          "محاولة",
	RequestAndAnswer: "الطلب والرد",
	Request:          "الطلب",
	Answer:           "الرد",
	Nothing:          "لا شيء بعد.",

	NoDeliveries: "لا توجد إشعارات مرسلة.",
	NoAttempts:   "لا توجد محاولة بعد.",
	Resend:       "إعادة الإرسال",
	Resent:       "أُعيد الإرسال باسم",
	ResendOf:     "إعادة إرسال لـ",
	DuplicateOf:  "نسخة مكررة من",
	Chaos:        "حقن الأعطال",
	NextAttempt:  "المحاولة التالية",
	URL:          "الرابط",
	Provider:     "المزوّد",

	At:          "في",
	Accepted:    "مقبول",
	NotAccepted: "غير مقبول",
	Error:       "خطأ",
	Empty:       "(فارغ)",

	NoRequests: "لا توجد طلبات API بعد.",
	RequestID:  "معرّف الطلب",
	RealTime:   "الوقت الحقيقي",
	Query:      "الاستعلام",
	Truncated:  "قُصّت المحتويات إلى 4 كيلوبايت.",

	Select:        "اختيار",
	Selected:      "مختار",
	TabbyKeys:     "مفاتيح تابي",
	SecretKey:     "المفتاح السري",
	PublicKey:     "المفتاح العام",
	MerchantCodes: "رموز التاجر",

	OnerwayCredentials: "بيانات اعتماد Onerway",
	MerchantNo:         "merchantNo",
	AppID:              "appId",
	Now:                "الآن",
	Mode:               "الوضع",
	Settings:           "الإعدادات",

	Scenarios:     "السيناريوهات",
	ScenariosHelp: "يغيّر السيناريو إعدادات التاجر المختار؛ وإيقافه يعيد الوضع الهادئ.",
	Scenario:      "من السيناريو",
	Calm:          "العودة إلى الوضع الهادئ",
	Applied:       "طُبّق",
	FaultRules:    "قواعد الأعطال",
	RemoveAll:     "حذف كل القواعد",
	NoRules:       "لا توجد قواعد أعطال.",
	AllMerchants:  "كل التجار",

	Failed: "فشل:",
}

// language returns the page language, its direction, its strings and the
// other language's code; anything but "ar" is English.
func language(lang string) (code, dir string, t *text, other string) {
	if lang == "ar" {
		return "ar", "rtl", &arabic, "en"
	}
	return "en", "ltr", &english, "ar"
}
