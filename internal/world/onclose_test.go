package world

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

// TestOnClose checks the hook that ends what a scenario started in a
// namespace: hooks run newest first, while the namespace is still open, on
// deletion as on the World's close, namespaces newest first and the root
// last; their errors come back; a hook registered too late runs at once.
func TestOnClose(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var order []string
	boom := errors.New("boom")
	hook := func(ns *NS, tag string, err error) {
		t.Helper()
		if e := ns.OnClose(func() error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, tag)
			if ns.Fd() < 0 {
				t.Errorf("hook %s ran after its namespace was closed", tag)
			}
			if ns.Do(func() error { return nil }) != nil {
				t.Errorf("hook %s cannot enter its namespace", tag)
			}
			return err
		}); e != nil {
			t.Fatal(e)
		}
	}
	ns := addNS(t, w, "a", "b", "c")
	a, b, c := ns[0], ns[1], ns[2]
	hook(w.Root(), "root", nil)
	hook(a, "a1", nil)
	hook(a, "a2", boom)
	hook(b, "b", nil)
	hook(c, "c", nil)

	if err := w.Delete("b"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"b"}) {
		t.Errorf("after deleting b, hooks ran: %v", order)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v, want the hook's error", err)
	}
	if want := []string{"b", "c", "a2", "a1", "root"}; !slices.Equal(order, want) {
		t.Errorf("hooks ran in order %v, want %v", order, want)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	ran := false
	err := a.OnClose(func() error { ran = true; return nil })
	if !ran || !errors.Is(err, ErrClosed) {
		t.Errorf("OnClose on a closed namespace: ran=%v err=%v, want ran and ErrClosed", ran, err)
	}
}
