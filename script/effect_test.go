package script

import (
	"reflect"
	"testing"
)

// TestEffects checks what Effects reads of an action: nothing for a plain
// function, the effects given to WithEffects, which still runs the action,
// and InNetns placing effects in a namespace unless they name their own.
func TestEffects(t *testing.T) {
	ran := 0
	plain := ActionFunc(func(*State) error { ran++; return nil })
	if got := Effects(plain); got != nil {
		t.Errorf("Effects(ActionFunc) = %v, want none", got)
	}
	add := Effect{Op: OpNetnsAdd, Namespace: "ns0"}
	act := WithEffects(plain, add)
	if got := Effects(act); !reflect.DeepEqual(got, []Effect{add}) {
		t.Errorf("Effects(WithEffects(...)) = %+v", got)
	}
	if err := act.Run(&State{}); err != nil || ran != 1 {
		t.Errorf("WithEffects: Run = %v, ran %d times", err, ran)
	}
	in := []Effect{{Op: OpLinkAdd, Dev: "a"}, {Op: OpLinkSet, Netns: "ns1", Dev: "b"}}
	want := []Effect{{Op: OpLinkAdd, Netns: "ns0", Dev: "a"}, {Op: OpLinkSet, Netns: "ns1", Dev: "b"}}
	if got := InNetns("ns0", in); !reflect.DeepEqual(got, want) {
		t.Errorf("InNetns = %+v, want %+v", got, want)
	}
	if in[0].Netns != "" {
		t.Errorf("InNetns changed its argument: %+v", in[0])
	}
}
