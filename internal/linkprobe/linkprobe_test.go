package linkprobe

import (
	"testing"

	"github.com/netscript/netscript/internal/privilege"
)

func TestCanCreate(t *testing.T) {
	privilege.Require(t)
	// veth and bridge are what every scenario needs: a kernel without
	// them runs no scenario at all.
	for _, kind := range []string{"veth", "bridge"} {
		if ok, why := CanCreate(kind); !ok {
			t.Errorf("CanCreate(%q) = false: %s", kind, why)
		}
	}
	for _, kind := range Kinds {
		ok, why := CanCreate(kind)
		again, whyAgain := CanCreate(kind)
		if ok != again || why != whyAgain {
			t.Errorf("CanCreate(%q) not cached: %v %q, then %v %q", kind, ok, why, again, whyAgain)
		}
		if !ok && why == "" {
			t.Errorf("CanCreate(%q) = false without a reason", kind)
		}
		t.Logf("%s: %v %s", kind, ok, why)
	}
	if ok, why := CanCreate("no-such-kind"); ok || why == "" {
		t.Errorf("CanCreate(no-such-kind) = %v, %q", ok, why)
	}
}

func TestRefusalOnlyForHostModules(t *testing.T) {
	for _, kind := range []string{"veth", "bridge", "vxlan", "macvlan"} {
		if why := Refusal(kind); why != "" {
			t.Errorf("Refusal(%q) = %q, want none", kind, why)
		}
	}
}

func TestBridgeVlanFiltering(t *testing.T) {
	privilege.Require(t)
	ok, why := BridgeVlanFiltering()
	again, whyAgain := BridgeVlanFiltering()
	if ok != again || why != whyAgain {
		t.Errorf("not cached: %v %q, then %v %q", ok, why, again, whyAgain)
	}
	if !ok && why == "" {
		t.Error("false without a reason")
	}
	t.Logf("bridge VLAN filtering: %v %s", ok, why)
}
