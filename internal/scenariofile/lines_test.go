package scenariofile

import (
	"reflect"
	"testing"
)

func TestReadLine(t *testing.T) {
	tests := []struct {
		text string
		env  map[string]string
		want Line // Num and Text are filled in
		skip bool // blank or comment
	}{
		{text: "", skip: true},
		{text: "   \t", skip: true},
		{text: "# a phase", skip: true},
		{text: "ip link  set\tveth0 up", want: Line{Args: []string{"ip", "link", "set", "veth0", "up"}}},
		{text: "ip link # a comment", want: Line{Args: []string{"ip", "link"}}},
		{text: "stdout 'a # b'", want: Line{Args: []string{"stdout", "a # b"}}},
		{text: "stdout 'it''s'", want: Line{Args: []string{"stdout", "it's"}}},
		{text: "stdout a'b c'd", want: Line{Args: []string{"stdout", "ab cd"}}},
		{text: "stdout ''", want: Line{Args: []string{"stdout", ""}}},
		{text: "! ip netns exec ns0 ping -c 1 10.0.0.2", want: Line{Neg: true,
			Args: []string{"ip", "netns", "exec", "ns0", "ping", "-c", "1", "10.0.0.2"}}},
		{text: "[root] [!short] ! ip link", want: Line{Conds: []string{"root", "!short"}, Neg: true, Args: []string{"ip", "link"}}},
		{text: "[ root] ip link", want: Line{Args: []string{"[", "root]", "ip", "link"}}}, // not a condition
		{text: "ip netns add $NS", env: map[string]string{"NS": "ns7"}, want: Line{Args: []string{"ip", "netns", "add", "ns7"}}},
		{text: "ip netns add ${NS}x '$NS'", env: map[string]string{"NS": "a"}, want: Line{Args: []string{"ip", "netns", "add", "ax", "$NS"}}},
		{text: "ip netns add $NOPE", want: Line{Args: []string{"ip", "netns", "add", ""}, Unset: []string{"NOPE"}}},
		{text: "cmp stdout $WORK/x", want: Line{Args: []string{"cmp", "stdout", "$WORK/x"}}},
		{text: "stdout ^a$", want: Line{Args: []string{"stdout", "^a$"}}},
		{text: "stdout 'unterminated", want: Line{Args: []string{"stdout"}, Err: "unterminated quoted argument"}},
		{text: "[root]", want: Line{Conds: []string{"root"}, Err: "missing command after condition"}},
		{text: "!", want: Line{Neg: true, Err: "! on line by itself"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e := newEnv()
			for k, v := range tt.env {
				e[k] = v
			}
			got, ok := readLine(7, tt.text, e)
			if ok == tt.skip {
				t.Fatalf("readLine(%q) kept = %v, want %v", tt.text, ok, !tt.skip)
			}
			if tt.skip {
				return
			}
			want := tt.want
			want.Num, want.Text = 7, tt.text
			if !reflect.DeepEqual(got, want) {
				t.Errorf("readLine(%q):\ngot  %#v\nwant %#v", tt.text, got, want)
			}
		})
	}
}
