package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

func listKey(n int) string { return fmt.Sprintf("list-%d", n) }

// listRow measures a list of 20 with n authorized payments stored, on a
// simulator of its own. With heap it also measures the live heap each
// stored session takes, before authorizing them.
func (b *bencher) listRow(ctx context.Context, n int, heap bool) error {
	sim, stop, err := b.newSim(nil)
	if err != nil {
		return err
	}
	defer func() {
		stop()
		debug.FreeOSMemory()
	}()
	title := fmt.Sprintf("list payments, %s stored (limit 20)", thousands(float64(n)))
	b.logf("%s: storing %d payments", title, n)
	var before uint64
	if heap {
		before = heapInUse()
	}
	ids, err := prepare(ctx, sim, n, !heap)
	if err != nil {
		return fmt.Errorf("storing payments: %w", err)
	}
	if heap {
		// The ids the bench keeps (48 bytes each) are counted too: under 1%.
		after := heapInUse()
		b.r.HeapPerPayment = (float64(after) - float64(before)) / float64(n)
		b.logf("heap per stored session: %.0f bytes", b.r.HeapPerPayment)
		if err := approveAll(ctx, sim, ids); err != nil {
			return fmt.Errorf("authorizing the stored payments: %w", err)
		}
	}
	key := simulator.DefaultSecretKey
	a, err := record(ctx, "GET", sim.URL+pathList+listQuery, tabbyHeader(key), nil, 200)
	if err != nil {
		b.fail("%s: %v", title, err)
		return nil
	}
	if got := gjson.GetBytes(a.body, "payments.#").Int(); got != min(20, int64(n)) {
		b.fail("%s: the list holds %d payments, want %d", title, got, min(20, n))
	}
	b.runRow(ctx, spec{
		key: listKey(n), title: title,
		sim:   fixed(listOp(sim.URL, key)),
		stubs: []stub{{route: routeList, answer: a}},
		stand: func(base string) Op { return listOp(base, key) },
	})
	return nil
}

// approveAll authorizes every payment as the customer would.
func approveAll(ctx context.Context, sim *simulator.Server, ids []string) error {
	return parallel(ctx, len(ids), func(i int) error {
		_, _, err := sim.Tabby.Act(ctx, ids[i], tabby.Approve)
		return err
	})
}

// parallel runs fn for 0..n-1 on every core and returns the first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		first error
		once  sync.Once
		wg    sync.WaitGroup
	)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// mainRows measures the cases that share one simulator: create, retrieve,
// capture, doTransaction and the whole payment, then create and retrieve on
// --data.
func (b *bencher) mainRows(ctx context.Context) error {
	sim, stop, err := b.newSim(nil)
	if err != nil {
		return err
	}
	defer stop()
	key := simulator.DefaultSecretKey

	a, err := record(ctx, "POST", sim.URL+pathCheckout, tabbyHeader(key), checkoutBody, 200)
	if err != nil {
		b.fail("create checkout session with Tabby's Postman body: %v", err)
		return nil
	}
	create := b.runRow(ctx, spec{
		key: "create", title: "create checkout session (Postman body)",
		sim:   fixed(createOp(sim.URL, key)),
		stubs: []stub{{route: routeCreate, answer: a}},
		stand: func(base string) Op { return createOp(base, key) },
	})

	ids, err := prepare(ctx, sim, b.o.RetrieveIDs, true)
	if err != nil {
		return fmt.Errorf("preparing payments to retrieve: %w", err)
	}
	if a, err = record(ctx, "GET", sim.URL+withID(pathPayment, ids[0]), tabbyHeader(key), nil, 200); err != nil {
		b.fail("retrieve payment: %v", err)
		return nil
	}
	retrieve := b.runRow(ctx, spec{
		key: "retrieve", title: "retrieve payment",
		sim:   fixed(retrieveOp(sim.URL, key, ids)),
		stubs: []stub{{route: routeRetrieve, answer: a}},
		stand: func(base string) Op { return retrieveOp(base, key, ids) },
	})

	one, err := prepare(ctx, sim, 1, true)
	if err != nil {
		return fmt.Errorf("preparing a payment to capture: %w", err)
	}
	if a, err = record(ctx, "POST", sim.URL+withID(pathCapture, one[0]), tabbyHeader(key), captureBody, 200); err != nil {
		b.fail("capture: %v", err)
		return nil
	}
	b.runRow(ctx, spec{
		key: "capture", title: "capture (a fresh authorized payment each)",
		sim: func(conns int) (Op, error) {
			// As many payments as retrieve's pace could use up, and then some.
			n := int(rateAt(retrieve.Sim, conns)*b.o.Duration.Seconds()*1.3) + 50
			ids, err := prepare(ctx, sim, n, true)
			if err != nil {
				return nil, err
			}
			return captureOp(sim.URL, key, (&pool{ids: ids}).take), nil
		},
		stubs: []stub{{route: routeCapture, answer: a}},
		stand: func(base string) Op { return captureOp(base, key, always(one[0])) },
	})

	if err := b.onerwayRow(ctx, sim); err != nil {
		return err
	}
	if err := b.paymentRow(ctx, sim); err != nil {
		return err
	}
	return b.dataRows(ctx, create, retrieve)
}

// onerwayCredentials are a merchant's Onerway merchantNo and secret key.
type onerwayCredentials struct{ MerchantNo, SecretKey string }

// defaultOnerwayCredentials reads the default merchant's Onerway
// credentials from the control API, if it has any.
func defaultOnerwayCredentials(ctx context.Context, base string) (onerwayCredentials, bool) {
	a, err := record(ctx, "GET", base+simctl.Prefix+"/merchants/"+simulator.DefaultMerchantID, nil, nil, 200)
	if err != nil {
		return onerwayCredentials{}, false
	}
	o := gjson.GetBytes(a.body, "onerway")
	first := func(names ...string) string {
		for _, n := range names {
			if v := o.Get(n).String(); v != "" {
				return v
			}
		}
		return ""
	}
	c := onerwayCredentials{MerchantNo: first("merchant_no", "merchantNo"), SecretKey: first("secret_key", "secretKey")}
	return c, c.MerchantNo != "" && c.SecretKey != ""
}

// onerwayRow measures a signed doTransaction creating a Tabby payment
// through the gateway, when the simulator serves it.
func (b *bencher) onerwayRow(ctx context.Context, sim *simulator.Server) error {
	const title = "Onerway signed doTransaction (Tabby)"
	cred, ok := defaultOnerwayCredentials(ctx, sim.URL)
	req := onerwayPayment("bench-record", b.recv.URL)
	req.MerchantNo = cred.MerchantNo
	body, err := onerway.SignRequest(req, cred.SecretKey)
	if err != nil {
		return err
	}
	a, err := record(ctx, "POST", sim.URL+routeOnerway.path, jsonHeader, body, 200)
	switch {
	case a.status == 404:
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "not served: the simulator answers 404 at " + routeOnerway.path})
		return nil
	case !ok:
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "skipped: the default merchant has no Onerway credentials"})
		return nil
	case err == nil && gjson.GetBytes(a.body, "respCode").String() != onerway.RespSuccess:
		err = fmt.Errorf("respCode %s: %s", gjson.GetBytes(a.body, "respCode"), excerpt(a.body))
	}
	if err != nil {
		b.fail("%s: %v", title, err)
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "failed: " + err.Error()})
		return nil
	}
	b.runRow(ctx, spec{
		key: "onerway", title: title,
		sim:   fixed(onerwayOp(sim.URL, cred, b.recv.URL)),
		stubs: []stub{{route: routeOnerway, answer: a}},
		stand: func(base string) Op { return onerwayOp(base, cred, b.recv.URL) },
	})
	return nil
}

// paymentRow measures whole payments for a merchant of their own, whose
// webhooks go to the loopback receiver. Only payments whose closed webhook
// was acknowledged count.
func (b *bencher) paymentRow(ctx context.Context, sim *simulator.Server) error {
	const title = "whole payment: create, approve, capture, webhook"
	m, err := simctl.New(sim.URL).CreateMerchant(ctx, simctl.CreateMerchantRequest{ID: "bench-payments", Name: "whole payments"})
	if err != nil {
		return fmt.Errorf("creating the merchant of whole payments: %w", err)
	}
	key := m.Tabby.SecretKey
	h := tabbyHeader(key)
	h.Set("X-Merchant-Code", "ae")
	if _, err := record(ctx, "POST", sim.URL+"/api/v1/webhooks", h, []byte(`{"url":"`+b.recv.URL+`"}`), 200); err != nil {
		b.fail("%s: registering the webhook: %v", title, err)
		return nil
	}

	// One whole payment, recorded for the bare server, webhooks included.
	stubs, err := b.recordPayment(ctx, sim.URL, key)
	if err != nil {
		b.fail("%s: %v", title, err)
		return nil
	}
	b.runRow(ctx, spec{
		key: "payment", title: title,
		sim: func(int) (Op, error) {
			b.recv.reset()
			return paymentOp(sim.URL, key, b.recv), nil
		},
		stubs: stubs,
		stand: func(base string) Op {
			b.recv.reset()
			return paymentOp(base, key, b.recv)
		},
		noWireMock: "not measured (static stubs send no webhooks)",
	})
	return nil
}

// recordPayment makes one whole payment and returns its answers, each with
// the webhooks it caused, for the bare server.
func (b *bencher) recordPayment(ctx context.Context, base, key string) ([]stub, error) {
	done := b.recv.record()
	create, err := record(ctx, "POST", base+pathCheckout, tabbyHeader(key), checkoutBody, 200)
	if err != nil {
		done()
		return nil, err
	}
	id := gjson.GetBytes(create.body, "payment.id").String()
	approve, err := record(ctx, "POST", base+withID(pathCustomer, id), jsonHeader, approveBody, 200)
	if err == nil {
		err = b.recv.waitBodies(ctx, 1, webhookWait)
	}
	if err != nil {
		done()
		return nil, err
	}
	capture, err := record(ctx, "POST", base+withID(pathCapture, id), tabbyHeader(key), captureBody, 200)
	if err == nil {
		err = b.recv.waitClosed(ctx, id, webhookWait)
	}
	bodies := done()
	if err != nil {
		return nil, err
	}
	return []stub{
		{route: routeCreate, answer: create},
		{route: routeCustomer, answer: approve, webhooks: bodies[:1]},
		{route: routeCapture, answer: capture, webhooks: bodies[1:]},
	}, nil
}

// dataRows measures create and retrieve again on a simulator keeping its
// state in SQLite, as `serve --data` does.
func (b *bencher) dataRows(ctx context.Context, create, retrieve *Row) error {
	dir, err := os.MkdirTemp("", "tabbysim-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	sim, stop, err := b.newSim(st)
	if err != nil {
		st.Close()
		return err
	}
	defer stop()
	key := simulator.DefaultSecretKey
	create.Data = b.cells(ctx, create, targetSimData, fixed(createOp(sim.URL, key)))
	ids, err := prepare(ctx, sim, b.o.RetrieveIDs, true)
	if err != nil {
		b.fail("--data: preparing payments to retrieve: %v", err)
		return nil
	}
	retrieve.Data = b.cells(ctx, retrieve, targetSimData, fixed(retrieveOp(sim.URL, key, ids)))
	return nil
}
