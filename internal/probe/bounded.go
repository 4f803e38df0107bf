package probe

// Unbounded reports whether "ping ARGS" (or ping6, as prog) runs until it
// is stopped, as a ping typed in a terminal runs until ^C: its arguments
// parse, and give neither a count (-c) nor a deadline (-w). "netscript
// check" warns about such a line: in a scenario it runs until the
// scenario's deadline.
func Unbounded(prog string, args []string) bool {
	o, err := parsePingAs(prog, args)
	return err == nil && !o.version && o.count == 0 && o.deadline == 0
}
