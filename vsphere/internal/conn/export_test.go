package conn

import (
	"net/http"

	"github.com/vmware/govmomi/vim25/soap"
)

// LeanRoundTripper, LeanRequest, DecodeRetrieveResult and DecodeUpdateSet
// expose the lean decode to the external tests, which reach a simulator
// through vspheretest.
func LeanRoundTripper(sc *soap.Client) soap.RoundTripper { return leanRoundTripper{sc} }

func LeanRequest(sc *soap.Client, req soap.HasFault) (*http.Request, error) {
	return leanRoundTripper{sc}.request(req)
}

var DecodeRetrieveResult = decodeRetrieveResult

var DecodeUpdateSet = decodeUpdateSet
