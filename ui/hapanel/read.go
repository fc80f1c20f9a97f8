package hapanel

import (
	"context"
	"fmt"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/internal/clusterconf"
	"github.com/vtui/vtui/vsphere"
)

// Snapshot is everything the panel shows of one cluster, read together.
type Snapshot struct {
	// Session is the cluster's HA/DRS configuration as read, which an
	// edit is planned against.
	Session *clusterconf.Session
	// Capacity is the what-if of one host failure; CapacityErr says why
	// there is none.
	Capacity    capacity.Report
	CapacityErr error
	// Recommendations are DRS's; RecommendationsErr says why they could
	// not be read.
	Recommendations    []vsphere.Recommendation
	RecommendationsErr error
}

// Read reads what the panel shows of the cluster: its whole configuration
// (one request for the cluster alone, not the inventory), the what-if of
// one host failure (capacity.Gather, then Analyze) and the DRS
// recommendations. Only a configuration that cannot be read is an error;
// the other parts carry their own.
func Read(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, cluster vsphere.Ref) (Snapshot, error) {
	conf, err := clusterconf.Read(ctx, c, inv, cluster)
	if err != nil {
		return Snapshot{}, err
	}
	s := Snapshot{Session: conf}
	if in, err := capacity.Gather(ctx, c, inv, conf.Config); err != nil {
		s.CapacityErr = fmt.Errorf("read the reservations for the what-if: %w", err)
	} else {
		s.Capacity, s.CapacityErr = capacity.Analyze(in, 1)
	}
	s.Recommendations, s.RecommendationsErr = conf.Recommendations(ctx, c)
	return s, nil
}
