package conn

import (
	"net/http"

	"github.com/vmware/govmomi/vim25/soap"
)

// LeanRoundTripper, LeanRequest, DecodeRetrieveResult,
// DecodeRetrievePropertiesEx and DecodeUpdateSet expose the lean decode to the external tests, which reach a simulator
// through vspheretest. The decode functions read an answer's bytes and
// return how many values went through govmomi's decoder.
func LeanRoundTripper(sc *soap.Client) soap.RoundTripper { return leanRoundTripper{sc, new(leanStats)} }

func LeanRequest(sc *soap.Client, req soap.HasFault) (*http.Request, error) {
	return leanRoundTripper{sc, new(leanStats)}.request(req)
}

var DecodeRetrieveResult = decodeRetrieveResult

var DecodeRetrievePropertiesEx = decodeRetrievePropertiesEx

var DecodeUpdateSet = decodeUpdateSet

// SetRetrievePage sets the objects of one page of Retrieve until tb ends.
func SetRetrievePage(tb interface{ Cleanup(func()) }, n int32) {
	old := retrievePage
	retrievePage = n
	tb.Cleanup(func() { retrievePage = old })
}
