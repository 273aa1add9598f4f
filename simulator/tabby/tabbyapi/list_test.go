package tabbyapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/tabby"
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

// countingStore counts, by kind, the documents its listings hand out: what
// a listing reads and decodes.
type countingStore struct {
	store.Store
	mu     sync.Mutex
	listed map[string]int
}

func (s *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(countingTx{tx, s}) })
}

func (s *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(countingTx{tx, s}) })
}

// during returns what the listings made during fn handed out.
func (s *countingStore) during(fn func()) map[string]int {
	s.mu.Lock()
	s.listed = map[string]int{}
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listed
}

type countingTx struct {
	store.Tx
	s *countingStore
}

func (t countingTx) List(kind string, q store.Query) ([]store.Doc, int, error) {
	docs, n, err := t.Tx.List(kind, q)
	t.s.mu.Lock()
	if t.s.listed != nil {
		t.s.listed[kind] += len(docs)
	}
	t.s.mu.Unlock()
	return docs, n, err
}

// TestList_ReadsOnlyThePage: with 5,000 payments stored over two days,
// listing a page of 20, through the Tabby API or the control API, reads
// those 20 and not the others, whatever the filter.
func TestList_ReadsOnlyThePage(t *testing.T) {
	t.Parallel()
	cs := &countingStore{Store: store.NewMemory()}
	e := e2e.Start(t, simulator.Config{Seed: 7, ClockMode: clock.Manual, Store: cs})
	m := e.NewMerchant(t, map[string]any{"clock": "manual", "start": "2025-03-01T10:00:00Z"})
	storePayments(t, e, m.ID, 5000)

	for _, c := range []struct {
		path  string
		total string
	}{
		{"/api/v2/payments?limit=20", "1000"},
		{"/api/v2/payments?status=expired&limit=20&offset=1000", "2000"},
		{"/api/v2/payments?status=created&created_at__gte=2025-03-02&limit=20", "2000"},
		{"/api/v2/payments?status=authorized&created_at__lte=2025-03-01&limit=20&offset=480", "500"},
		{"/_sim/v1/payments?merchant=" + m.ID + "&limit=20", "5000"},
	} {
		var r *e2e.Resp
		listed := cs.during(func() { r = e.Do(t, e2e.Req{Method: http.MethodGet, Path: c.path, Key: m.SecretKey}) })
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %s", c.path, r)
		}
		e2e.WantArrayLen(t, r, "payments", 20)
		total := r.JSON.Get("pagination.total_count")
		if !total.Exists() {
			total = r.JSON.Get("total_count")
		}
		if total.String() != c.total {
			t.Errorf("GET %s: total_count %s, want %s", c.path, total, c.total)
		}
		for kind, n := range listed {
			if n > 20 {
				t.Errorf("GET %s read %d %s documents for a page of 20 (all reads: %v)", c.path, n, kind, listed)
			}
		}
	}
}

// storePayments makes n payments for merchant id, half on the merchant's
// day and half a day later, one in five approved and the others of the
// first day expired by the second. They are made through the service, as n
// checkouts over HTTP would take long.
func storePayments(tb testing.TB, e *e2e.Env, id string, n int) {
	tb.Helper()
	ctx := context.Background()
	merchant, err := e.Sim.Merchants.Get(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(e2e.CheckoutBody())
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		if i == n/2 {
			if r := e.Ctl(tb, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"by": "1d"}); r.Status != http.StatusOK {
				tb.Fatalf("advance: %s", r)
			}
		}
		req := new(tabby.CheckoutRequest)
		if err := json.Unmarshal(body, req); err != nil {
			tb.Fatal(err)
		}
		p, err := e.Sim.Tabby.CreateSession(ctx, merchant, req, true)
		if err != nil {
			tb.Fatal(err)
		}
		if i%5 == 0 {
			if _, _, err := e.Sim.Tabby.Act(ctx, p.ID, tabby.Approve); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// BenchmarkListPayments gets a page of 20 from GET /api/v2/payments, and
// one of the payments created on a day, with 100 and with 20,000 payments
// stored, in memory and in SQLite: the cost of a page does not grow with
// what is stored.
func BenchmarkListPayments(b *testing.B) {
	for _, n := range []int{100, 20_000} {
		for _, kind := range []string{"memory", "sqlite"} {
			b.Run(fmt.Sprintf("stored=%d/%s", n, kind), func(b *testing.B) {
				var st store.Store = store.NewMemory()
				if kind == "sqlite" {
					var err error
					if st, err = sqlite.Open(filepath.Join(b.TempDir(), "bench.db")); err != nil {
						b.Fatal(err)
					}
				}
				e := e2e.Start(b, simulator.Config{Seed: 7, ClockMode: clock.Manual, Store: st})
				m := e.NewMerchant(b, map[string]any{"clock": "manual", "start": "2025-03-01T10:00:00Z"})
				storePayments(b, e, m.ID, n)
				for _, query := range []string{"limit=20", "status=created&created_at__gte=2025-03-02&limit=20"} {
					b.Run(query, func(b *testing.B) {
						for b.Loop() {
							hr, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v2/payments?"+query, nil)
							hr.Header.Set("Authorization", "Bearer "+m.SecretKey)
							res, err := e.Client.Do(hr)
							if err != nil {
								b.Fatal(err)
							}
							_, err = io.Copy(io.Discard, res.Body)
							res.Body.Close()
							if err != nil || res.StatusCode != http.StatusOK {
								b.Fatalf("GET: %d %v", res.StatusCode, err)
							}
						}
					})
				}
			})
		}
	}
}
