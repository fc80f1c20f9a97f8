package clusterconf

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

// Session is one cluster's configuration as read, which edits start from
// and changes are planned against.
type Session struct {
	// Config is the configuration as read, with its fingerprint.
	Config *vsphere.ClusterConfig
	// Inv is the inventory Config was read with (its names).
	Inv *vsphere.Inventory
}

// Read reads the whole configuration of cluster (one request for the
// cluster alone), with the names of inv.
func Read(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, cluster vsphere.Ref) (*Session, error) {
	cfg, err := c.ClusterConfig(ctx, inv, cluster)
	if err != nil {
		return nil, err
	}
	return &Session{Config: cfg, Inv: inv}, nil
}

// Edit returns the configuration as read with edits made, in order. An
// edit that cannot be made is a *BadEditError; an error of a name
// resolution is returned as it is.
func (s *Session) Edit(edits ...Edit) (clusterspec.Config, error) {
	want := s.Config.Spec
	for _, e := range edits {
		if err := e(&want); err != nil {
			return clusterspec.Config{}, err
		}
	}
	return want, nil
}

// Diff is how want differs from the configuration as read, one field a
// change.
func (s *Session) Diff(want clusterspec.Config) []clusterspec.Change {
	return clusterspec.Diff(s.Config.Spec, want)
}

// Plan is a planned reconfiguration of the cluster: the action for the
// gate and the fields it changes.
type Plan struct {
	Action  gate.Action
	Changes []clusterspec.Change
}

// Plan plans making the configuration want. Its action checks the
// fingerprint before it sends anything: a configuration changed since the
// Session was read is refused (gate.IsStale) unless force.
func (s *Session) Plan(want clusterspec.Config, force bool) Plan {
	return Plan{Action: gate.ReconfigureCluster(s.Config, want, force), Changes: s.Diff(want)}
}

// Noop reports whether the configuration is already as asked.
func (p Plan) Noop() bool { return p.Action.Noop != "" }

// Err says why the change cannot be sent (an invalid configuration, a
// name vCenter does not know), or is nil: the user's input is at fault.
func (p Plan) Err() error {
	failed := p.Action.Failed()
	if len(failed) == 0 {
		return nil
	}
	reasons := make([]string, len(failed))
	for i, c := range failed {
		reasons[i] = c.Reason
	}
	return errors.New(strings.Join(reasons, "; "))
}

// Details is the changes, one indented line each, as the confirmation
// lists them under the plan.
func (p Plan) Details() []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = "  " + c.String()
	}
	return out
}

// Recommendations reads DRS's recommendations for the cluster, highest
// rating first.
func (s *Session) Recommendations(ctx context.Context, c *vsphere.Client) ([]vsphere.Recommendation, error) {
	return c.Recommendations(ctx, s.Inv, s.Config.Cluster)
}

// ApplyRecommendations plans applying recs, an action each.
func (s *Session) ApplyRecommendations(recs []vsphere.Recommendation) []gate.Action {
	p := gate.NewPlanner(s.Inv, nil, nil)
	actions := make([]gate.Action, len(recs))
	for i, r := range recs {
		actions[i] = p.ApplyRecommendation(s.Config.Cluster, r)
	}
	return actions
}

// Pick returns the recommendations of recs with keys, in the keys' order;
// missing is the first key none has ("" if all were found).
func Pick(recs []vsphere.Recommendation, keys []string) (chosen []vsphere.Recommendation, missing string) {
	for _, key := range keys {
		i := slices.IndexFunc(recs, func(r vsphere.Recommendation) bool { return r.Key == key })
		if i < 0 {
			return nil, key
		}
		chosen = append(chosen, recs[i])
	}
	return chosen, ""
}
