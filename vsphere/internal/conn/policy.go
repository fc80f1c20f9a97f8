package conn

// Policy says what the Gate lets through. The zero Policy changes things.
type Policy struct {
	// ReadOnly refuses every change before any request is sent.
	ReadOnly bool
	// DryRun reports what would change and changes nothing. Checks that
	// change nothing, on the client and on the server, still run.
	DryRun bool
}
