package vcsimtest

import (
	"testing"
	"time"
)

// TestCloseDoesNotWaitForEver: a close that never returns, as vcsim's
// with a long poll nobody waits for, is given up after the bound.
func TestCloseDoesNotWaitForEver(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	returned := make(chan struct{})
	go func() {
		closeBounded(t, func() { <-never }, 10*time.Millisecond)
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("closeBounded still waits for a close that never returns")
	}
}
