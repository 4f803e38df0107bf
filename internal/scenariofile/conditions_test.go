package scenariofile

import "testing"

func TestKnownCondition(t *testing.T) {
	ours := []Condition{{Name: "root"}, {Name: "link", Param: true}}
	tests := []struct {
		cond string
		want bool
	}{
		{"root", true}, {"!root", true}, {" root ", true},
		{"link:vxlan", true}, {"!link:vxlan", true},
		{"link:", false},  // a parameter is needed
		{"link", true},    // testscript's own: hard links
		{"root:x", false}, // root takes no parameter
		{"exec:tc", true}, // testscript's
		{"exec", false},   // it takes one
		{"exec:", false},  // an empty one
		{"linux", true},   // a GOOS
		{"amd64", true},   // a GOARCH
		{"go1.22", true},  // a release
		{"go1", false},    // not one
		{"GOOS", false},   // the name stands for the value
		{"goN.M", false},  // likewise
		{"roots", false},  // a typo
		{"short", true}, {"net", true}, {"gc", true},
	}
	for _, tt := range tests {
		if got := KnownCondition(tt.cond, ours); got != tt.want {
			t.Errorf("KnownCondition(%q) = %v, want %v", tt.cond, got, tt.want)
		}
	}
}

func TestConditionString(t *testing.T) {
	for c, want := range map[Condition]string{
		{Name: "root"}:                "root",
		{Name: "link", Param: true}:   "link:KIND",
		{Name: "exec", Param: true}:   "exec:PROG",
		{Name: "mycond", Param: true}: "mycond:ARG",
	} {
		if got := c.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", c, got, want)
		}
	}
}
