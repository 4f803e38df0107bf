package scenariofile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

func TestCheck(t *testing.T) {
	long := strings.Repeat("b", 256)
	tests := []struct {
		name string
		file string // default x.txtar
		text string
		want []string // "LINE: message"
	}{
		{name: "clean", text: "ip netns add a\ncmp stdout want\n-- want --\nx\n-- dir/a --\n-- dir/b --\n"},
		{name: "empty", text: "", want: []string{"0: the scenario has no commands"}},
		{name: "comments and blanks", text: "# a comment\n\n   \n\t# another\n", want: []string{"0: the scenario has no commands"}},
		{name: "only archive files", text: "-- want --\nx\n", want: []string{"0: the scenario has no commands"}},
		{name: "indented command", text: "  ip netns add a\n"},
		{name: "dot dot", text: "ip netns add a\n-- ../../x --\nhi\n",
			want: []string{`2: archive file "../../x" is outside the scenario's directory`}},
		{name: "dot dot inside", text: "ip netns add a\n-- a/../../x --\n",
			want: []string{`2: archive file "a/../../x" is outside the scenario's directory`}},
		{name: "dot dot that stays inside", text: "ip netns add a\n-- a/../x --\n"},
		{name: "absolute", text: "ip netns add a\n-- /tmp/x --\n",
			want: []string{`2: archive file "/tmp/x" is outside the scenario's directory`}},
		{name: "$WORK is empty when the archive is written", text: "ip netns add a\n-- $WORK/x --\n",
			want: []string{`2: archive file "$WORK/x" is outside the scenario's directory (written as "/x": variables are empty when testscript writes the archive)`}},
		{name: "${WORK} too", text: "ip netns add a\n-- ${WORK}/../x --\n",
			want: []string{`2: archive file "${WORK}/../x" is outside the scenario's directory (written as "/../x": variables are empty when testscript writes the archive)`}},
		{name: "a variable alone", text: "ip netns add a\n-- $X --\n",
			want: []string{`2: archive file "$X" names the scenario's directory itself (written as "": variables are empty when testscript writes the archive)`}},
		{name: "dot", text: "ip netns add a\n-- . --\n", want: []string{`2: archive file "." names the scenario's directory itself`}},
		{name: "twice", text: "ip netns add a\n-- x --\na\n-- x --\nb\n",
			want: []string{`4: archive file "x" is given twice (first at line 2)`}},
		{name: "twice, cleaned", text: "ip netns add a\n-- x --\n-- ./x --\n",
			want: []string{`3: archive file "./x" is given twice (first at line 2)`}},
		{name: "inside a file", text: "ip netns add a\n-- a --\nhi\n-- a/b --\n",
			want: []string{`4: archive file "a/b" is inside "a", a file of the archive (line 2)`}},
		{name: "a directory of a file", text: "ip netns add a\n-- a/b/c --\n-- a/b --\n",
			want: []string{`3: archive file "a/b" is a directory of the archive file at line 2`}},
		{name: "testscript's .tmp", text: "ip netns add a\n-- .tmp --\n",
			want: []string{`2: archive file ".tmp" is in testscript's temporary directory .tmp`}},
		{name: "in .tmp", text: "ip netns add a\n-- .tmp/x --\n",
			want: []string{`2: archive file ".tmp/x" is in testscript's temporary directory .tmp`}},
		{name: "NUL byte", text: "ip netns add a\n-- a\x00b --\n",
			want: []string{`2: archive file "a\x00b": the name has a NUL byte`}},
		{name: "element too long", text: "ip netns add a\n-- d/" + long + " --\n",
			want: []string{fmt.Sprintf(`2: archive file %q...: a name in its path is 256 bytes long, over the kernel's 255`, ("d/" + long)[:80])}},
		{name: "element of 255 bytes", text: "ip netns add a\n-- " + long[:255] + " --\n"},
		{name: "name too long", text: "ip netns add a\n-- " + strings.Repeat("d/", 1100) + "x --\n",
			want: []string{fmt.Sprintf(`2: archive file %q...: the name is 2201 bytes long, over 2048`, strings.Repeat("d/", 40))}},
		{name: "lines after a comment and files", text: "# c\n\nip netns add a\n-- a --\n1\n2\n-- b --\n-- a --\n",
			want: []string{`8: archive file "a" is given twice (first at line 4)`}},
		{name: "scenario name too long", file: strings.Repeat("s", MaxScenarioName+1) + ".txtar", text: "ip netns add a\n",
			want: []string{"0: the scenario's name is 246 bytes long, over 245: testscript's work directory script-NAME would exceed the 255-byte limit of a file name"}},
		{name: "scenario name just short enough", file: "dir/" + strings.Repeat("s", MaxScenarioName) + ".txtar", text: "ip netns add a\n"},
		{name: "several", text: "-- /x --\n-- x --\n-- x --\n", want: []string{
			"0: the scenario has no commands",
			`1: archive file "/x" is outside the scenario's directory`,
			`3: archive file "x" is given twice (first at line 2)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "x.txtar"
			}
			var got []string
			for _, p := range Check(file, txtar.Parse([]byte(tt.text))) {
				got = append(got, fmt.Sprintf("%d: %s", p.Line, p.Msg))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
