package drill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"

	"github.com/vtui/vtui/internal/buildinfo"
	"github.com/vtui/vtui/vsphere/drillkit"
)

// ReportSchema is the version of the JSON report's schema, which the
// README states. Adding a field keeps it; renaming or removing one, or
// changing what one means, raises it. Reports before it had none: version
// 1.
const ReportSchema = 2

// Provenance is who ran a drill and with what, as an auditor asks it;
// the report's vcenter says where. The journal's start entry keeps it
// too. It holds nothing secret: no password, and the vCenter's URL
// without credentials.
type Provenance struct {
	// OSUser is the operating-system user vtui ran as; VCenterUser the
	// user vCenter's session was logged in as, in vCenter's spelling.
	OSUser      string `json:"os_user"`
	VCenterUser string `json:"vcenter_user"`
	// VTUI is the build of vtui that ran the drill.
	VTUI buildinfo.Info `json:"vtui"`
	// PlanSHA256 is the SHA-256 of PlanText, the plan file exactly as
	// read; both are empty for a plan that was not read from a file.
	PlanSHA256 string `json:"plan_sha256,omitempty"`
	PlanText   string `json:"plan_text,omitempty"`
	// Simulator is what vtui's simulator models of vSphere HA, and what
	// it does not model, when the drill ran against it.
	Simulator *drillkit.SimModel `json:"simulator,omitempty"`
}

// provenance reads who runs the drill and with what: the OS user, the
// session's user, the build, the plan as read and, against vtui's
// simulator, its HA model.
func (r *Runner) provenance(ctx context.Context) (Provenance, error) {
	p := Provenance{OSUser: osUser(), VTUI: buildinfo.Read()}
	var err error
	if p.VCenterUser, err = r.Client.SessionUser(ctx); err != nil {
		return p, err
	}
	if src := r.Plan.Source(); src != nil {
		sum := sha256.Sum256(src)
		p.PlanSHA256, p.PlanText = hex.EncodeToString(sum[:]), string(src)
	}
	info, err := drillkit.SimulatorInfo(ctx, r.Client)
	switch {
	case err == nil:
		p.Simulator = &info.Model
	case !errors.Is(err, drillkit.ErrNotSimulator):
		return p, fmt.Errorf("ask the server whether it is vtui's simulator: %w", err)
	}
	return p, nil
}

// osUser names the operating-system user vtui runs as: its login name,
// else its user ID.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}
