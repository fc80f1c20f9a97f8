package sim

import (
	"context"
	"fmt"
	"net/url"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25/types"
)

// CreateVM creates, through the server's own API as any client would, a
// powered-off VM called name in the VM folder dc-01/vm/folder (created if
// need be), on esx-a-01 of cluster-a and datastore ds-shared-01, and
// returns its ID. vCenter allows two VMs of one name in different folders;
// tests make such twins with it.
func (s *Server) CreateVM(ctx context.Context, folder, name string) (string, error) {
	u := *s.URL
	u.User = url.UserPassword(s.Username, s.Password)
	c, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	defer func() { _ = c.Logout(context.WithoutCancel(ctx)) }()
	f := find.NewFinder(c.Client)
	dc, err := f.Datacenter(ctx, "dc-01")
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	f.SetDatacenter(dc)
	parent, err := f.Folder(ctx, "/dc-01/vm/"+folder)
	if err != nil {
		folders, ferr := dc.Folders(ctx)
		if ferr != nil {
			return "", fmt.Errorf("create VM %s: %w", name, ferr)
		}
		if parent, err = folders.VmFolder.CreateFolder(ctx, folder); err != nil {
			return "", fmt.Errorf("create folder %s: %w", folder, err)
		}
	}
	pool, err := f.ResourcePool(ctx, "/dc-01/host/cluster-a/Resources")
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	host, err := f.HostSystem(ctx, "esx-a-01.lab.local")
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	task, err := parent.CreateVM(ctx, types.VirtualMachineConfigSpec{Name: name, NumCPUs: 1, MemoryMB: 512,
		Files: &types.VirtualMachineFileInfo{VmPathName: "[ds-shared-01]"}}, pool, host)
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		return "", fmt.Errorf("create VM %s: %w", name, err)
	}
	return info.Result.(types.ManagedObjectReference).Value, nil
}
