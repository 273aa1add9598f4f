package tabbyapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// listFixture is one merchant's payments in every state, created a minute
// apart so "newest first" is well defined, over two days.
type listFixture struct {
	m *e2e.Merchant
	// by name: A..R as below
	id map[string]string
}

func newListFixture(t *testing.T) *listFixture {
	m := newMerchantAt(t, time.Date(2025, 3, 1, 23, 0, 0, 0, time.UTC))
	f := &listFixture{m: m, id: map[string]string{}}
	step := func(name string, make func() string) {
		t.Helper()
		f.id[name] = make()
		m.Advance("1m")
	}
	post := func(path string, body any) {
		t.Helper()
		if r := m.Post(path, body); r.Status != http.StatusOK {
			t.Fatalf("%s: %s", path, r)
		}
	}
	// Day one, 2025-03-01.
	// AUTHORIZED, dashboard new
	step("A", func() string { return m.Authorized("100.00") })
	// AUTHORIZED, partly captured: still new
	step("B", func() string {
		id := m.Authorized("100.00")
		post("/api/v2/payments/"+id+"/captures", map[string]any{"amount": "30.00", "reference_id": "c"})
		return id
	})
	// CLOSED, captured
	step("C", func() string { return m.Closed("100.00") })
	// CLOSED without capture: cancelled
	step("D", func() string {
		id := m.Authorized("100.00")
		post("/api/v2/payments/"+id+"/close", nil)
		return id
	})
	// CLOSED, refunded
	step("E", func() string {
		id := m.Closed("100.00")
		post("/api/v2/payments/"+id+"/refunds", map[string]any{"amount": "100.00", "reference_id": "r"})
		return id
	})
	step("F", func() string { return paymentIn(m, "REJECTED") })
	step("G", func() string { return paymentIn(m, "EXPIRED") })
	// rejected at pre-scoring
	step("R", func() string {
		r := m.Checkout("payment.buyer.phone", "500000002")
		if r.Str("status") != "rejected" {
			t.Fatalf("pre-scoring: %s", r)
		}
		return r.Str("payment.id")
	})
	// Day two, 2025-03-02.
	m.Advance("2h")
	step("H", func() string { return m.Authorized("100.00") })
	step("I", func() string { return paymentIn(m, "CREATED") })
	// partly captured, then closed: captured
	step("J", func() string {
		id := m.Authorized("100.00")
		post("/api/v2/payments/"+id+"/captures", map[string]any{"amount": "40.00", "reference_id": "c"})
		post("/api/v2/payments/"+id+"/close", nil)
		return id
	})
	return f
}

// list GETs /api/v2/payments with the query and returns the answer and
// the fixture names of the payments, in order.
func (f *listFixture) list(t *testing.T, query string) (*e2e.Resp, []string) {
	t.Helper()
	r := f.m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments?" + query, Key: f.m.SecretKey})
	if r.Status != http.StatusOK {
		t.Fatalf("list ?%s: %s", query, r)
	}
	if !r.JSON.Get("payments").IsArray() {
		t.Fatalf("list ?%s: payments = %s, want an array", query, r.JSON.Get("payments").Raw)
	}
	names := map[string]string{}
	for n, id := range f.id {
		names[id] = n
	}
	var got []string
	for _, p := range r.JSON.Get("payments").Array() {
		n, ok := names[p.Get("id").String()]
		if !ok {
			n = "?" + p.Get("id").String()
		}
		got = append(got, n)
	}
	return r, got
}

func (f *listFixture) want(t *testing.T, query string, names ...string) *e2e.Resp {
	t.Helper()
	r, got := f.list(t, query)
	if !slices.Equal(got, names) {
		t.Errorf("list ?%s = %v, want %v", query, got, names)
	}
	return r
}

func TestList_DefaultStatusesNewestFirst(t *testing.T) {
	f := newListFixture(t)
	r := f.want(t, "", "J", "H", "E", "D", "C", "B", "A")
	e2e.WantField(t, r, "pagination.total_count", "7")
	e2e.WantField(t, r, "pagination.limit", "20")
	e2e.WantField(t, r, "pagination.offset", "0")
	for _, p := range r.JSON.Get("payments").Array() {
		if s := p.Get("status").String(); s != "AUTHORIZED" && s != "CLOSED" {
			t.Errorf("default list holds a %s payment", s)
		}
		if !p.Get("captures").IsArray() || !p.Get("refunds").IsArray() {
			t.Errorf("payment %s: captures/refunds not arrays", p.Get("id"))
		}
	}
	var prev time.Time
	for i, p := range r.JSON.Get("payments").Array() {
		c := e2e.MustTime(t, p.Get("created_at").String())
		if i > 0 && c.After(prev) {
			t.Errorf("payment %d created %s after the one before it (%s)", i, c, prev)
		}
		prev = c
	}
}

func TestList_StatusFilter(t *testing.T) {
	f := newListFixture(t)
	for _, tc := range []struct {
		status string
		want   []string
	}{
		{"authorized", []string{"H", "B", "A"}},
		{"new", []string{"H", "B", "A"}},
		{"closed", []string{"J", "E", "D", "C"}},
		{"captured", []string{"J", "C"}},
		{"cancelled", []string{"D"}},
		{"refunded", []string{"E"}},
		{"rejected", []string{"R", "F"}},
		{"AUTHORIZED", []string{"H", "B", "A"}},
		// The simulator's extras beyond Tabby's enum.
		{"created", []string{"I"}},
		{"expired", []string{"G"}},
	} {
		t.Run(tc.status, func(t *testing.T) {
			r := f.want(t, "status="+tc.status, tc.want...)
			e2e.WantField(t, r, "pagination.total_count", strconv.Itoa(len(tc.want)))
		})
	}
	r := f.m.Get("/api/v2/payments?status=paid")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "failed to decode request", "status")
}

func TestList_Paging(t *testing.T) {
	f := newListFixture(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"limit=2", []string{"J", "H"}},
		{"limit=2&offset=2", []string{"E", "D"}},
		{"limit=2&offset=6", []string{"A"}},
		{"limit=20&offset=7", nil},
		{"offset=100", nil},
		{"limit=1&offset=1&status=closed", []string{"E"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := f.want(t, tc.query, tc.want...)
			q, _ := url.ParseQuery(tc.query)
			total := "7"
			if q.Get("status") == "closed" {
				total = "4"
			}
			e2e.WantField(t, r, "pagination.total_count", total)
			limit := q.Get("limit")
			if limit == "" {
				limit = "20"
			}
			e2e.WantField(t, r, "pagination.limit", limit)
			offset := q.Get("offset")
			if offset == "" {
				offset = "0"
			}
			e2e.WantField(t, r, "pagination.offset", offset)
		})
	}
}

func TestList_BadPaging(t *testing.T) {
	m := newMerchant(t)
	for _, q := range []string{"limit=21", "limit=100", "limit=0", "limit=-1", "limit=ten", "offset=-1", "offset=x"} {
		r := m.Get("/api/v2/payments?" + q)
		name := strings.SplitN(q, "=", 2)[0]
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "failed to decode request", name)
	}
	r := m.Get("/api/v2/payments?limit=20")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "payments", 0)
	e2e.WantField(t, r, "pagination.total_count", "0")
}

func TestList_CreatedAtDates(t *testing.T) {
	f := newListFixture(t)
	f.want(t, "created_at__gte=2025-03-02", "J", "H")
	f.want(t, "created_at__lte=2025-03-01", "E", "D", "C", "B", "A")
	f.want(t, "created_at__gte=2025-03-01&created_at__lte=2025-03-01", "E", "D", "C", "B", "A")
	f.want(t, "created_at__gte=2025-03-01&created_at__lte=2025-03-02", "J", "H", "E", "D", "C", "B", "A")
	f.want(t, "created_at__lte=2025-02-28")
	r := f.want(t, "created_at__gte=2025-03-03")
	e2e.WantField(t, r, "pagination.total_count", "0")
	f.want(t, "created_at__gte=2025-03-02&status=created", "I")
	f.want(t, "created_at__lte=2025-03-01&status=rejected", "R", "F")

	for _, q := range []string{"created_at__gte=yesterday", "created_at__gte=2025-3-1", "created_at__lte=2025-13-01", "created_at__lte=01-03-2025"} {
		r := f.m.Get("/api/v2/payments?" + q)
		name := strings.SplitN(q, "=", 2)[0]
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "failed to decode request", name)
	}
}

// TestList_NewestFirstOnAStoppedClock: on a manual clock that has not
// moved, every payment has the same created_at; "newest first" must still
// mean the reverse of creation order, not an order by random id.
func TestList_NewestFirstOnAStoppedClock(t *testing.T) {
	m := newMerchant(t)
	var want []string
	for range 6 {
		want = append([]string{m.Authorized("100.00")}, want...)
	}
	r := m.Get("/api/v2/payments")
	e2e.WantStatus(t, r, http.StatusOK)
	var got []string
	for _, p := range r.JSON.Get("payments").Array() {
		got = append(got, p.Get("id").String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("list = %v,\nwant newest first %v", got, want)
	}
}
