package changes

import "testing"

func TestFeed_WatcherOfOneMerchant(t *testing.T) {
	var f Feed
	if f.Watched() {
		t.Fatal("a new feed is watched")
	}
	f.Publish(Change{Kind: "tabby.payment", Merchant: "a"}) // no one hears it
	w := f.Watch("a")
	if !f.Watched() {
		t.Fatal("a watched feed says it is not")
	}
	f.Publish(Change{Kind: "tabby.payment", Merchant: "b", ID: "1"}, Change{Kind: "tabby.payment", Merchant: "a", ID: "2"},
		Change{Kind: KindReset})
	for _, want := range []Change{{Kind: "tabby.payment", Merchant: "a", ID: "2"}, {Kind: KindReset}} {
		if got := <-w.C(); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
	if len(w.C()) != 0 {
		t.Errorf("%d changes more", len(w.C()))
	}
	w.Stop()
	if f.Watched() {
		t.Error("watched after the only watcher stopped")
	}
}

func TestFeed_WatcherBehindIsToldItMissedChanges(t *testing.T) {
	var f Feed
	w := f.Watch("")
	defer w.Stop()
	for range buffer + 1 {
		f.Publish(Change{Kind: KindJournal})
	}
	if len(w.C()) != buffer {
		t.Fatalf("%d changes kept, want %d", len(w.C()), buffer)
	}
	if !w.Missed() {
		t.Error("not told it missed one")
	}
	if w.Missed() {
		t.Error("told twice")
	}
}

func TestFeed_CloseEndsWatches(t *testing.T) {
	var f Feed
	done := f.Done()
	f.Close()
	f.Close()
	<-done
	<-f.Done()
}
