package conn_test

import (
	"bytes"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// The simulator's lean encoding (package leanenc) against vcsim's, value
// by value: the table holds a value of every simple kind the lean encoder
// writes itself, escapes, empty and unset values, lists, and values of
// vim25's data types, which it writes with an encoder built per type.

// vcsimEnvelope is vcsim's SOAP envelope (simulator.soapEnvelope).
type vcsimEnvelope struct {
	XMLName xml.Name `xml:"soapenv:Envelope"`
	Enc     string   `xml:"xmlns:soapenc,attr"`
	Env     string   `xml:"xmlns:soapenv,attr"`
	XSD     string   `xml:"xmlns:xsd,attr"`
	XSI     string   `xml:"xmlns:xsi,attr"`
	Body    any      `xml:"soapenv:Body"`
}

// vcsimResponse encodes res in the body as vcsim's response type does:
// under the response's name, in vim25's name space.
type vcsimResponse struct {
	name string
	res  any
}

func (r vcsimResponse) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(r.res, xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: r.name}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// vcsimAnswer returns the SOAP answer vcsim's ServeSDK writes for res, the
// response called name.
func vcsimAnswer(t testing.TB, name string, res any) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString(xml.Header)
	e := xml.NewEncoder(&out)
	err := e.Encode(&vcsimEnvelope{
		Enc: "http://schemas.xmlsoap.org/soap/encoding/", Env: "http://schemas.xmlsoap.org/soap/envelope/",
		XSD: "http://www.w3.org/2001/XMLSchema", XSI: "http://www.w3.org/2001/XMLSchema-instance",
		Body: vcsimResponse{name, res},
	})
	if err == nil {
		err = e.Flush()
	}
	if err != nil {
		t.Fatalf("encode %s: %v", name, err)
	}
	return out.Bytes()
}

// decodeGovmomi decodes answer into body with govmomi's decoder.
func decodeGovmomi(t *testing.T, answer []byte, body soap.HasFault) {
	t.Helper()
	if err := decodeWithGovmomi(answer, body); err != nil {
		t.Fatalf("govmomi's decoder: %v\n%s", err, answer)
	}
}

// leanValues are the values of the table, by name.
func leanValues() []struct {
	name string
	val  any
} {
	at := time.Date(2026, 12, 7, 14, 5, 6, 789000000, time.UTC)
	ref := types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}
	snap := types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-1"}
	chain := []types.VirtualMachineFileLayoutExDiskUnit{{FileKey: []int32{0}}, {FileKey: []int32{2}}, {}}
	layout := &types.VirtualMachineFileLayoutEx{
		File: []types.VirtualMachineFileLayoutExFileInfo{
			{Key: 0, Name: "[ds] vm/vm.vmdk", Type: string(types.VirtualMachineFileLayoutExFileTypeDiskDescriptor), Size: 1 << 30, UniqueSize: 1 << 29, Accessible: types.NewBool(true)},
			{Key: 1, Name: "[ds] vm/vm-Snapshot1.vmsn", Type: string(types.VirtualMachineFileLayoutExFileTypeSnapshotData), Size: 32 << 10},
			{Key: 2, Name: "[ds] vm/vm-000001.vmdk", Type: string(types.VirtualMachineFileLayoutExFileTypeDiskDescriptor), Accessible: types.NewBool(false)},
		},
		Disk:      []types.VirtualMachineFileLayoutExDiskLayout{{Key: 2000, Chain: chain}, {Key: 2001}},
		Snapshot:  []types.VirtualMachineFileLayoutExSnapshotLayout{{Key: snap, DataKey: 1, MemoryKey: -1, Disk: []types.VirtualMachineFileLayoutExDiskLayout{{Key: 2000, Chain: chain[:1]}}}},
		Timestamp: at,
	}
	return []struct {
		name string
		val  any
	}{
		{"string", "web-01"},
		{"special characters", `a<b>c&d"e'f`},
		{"tab and line ends", "a\tb\nc\rd\r\ne"},
		{"control characters", "a\x00b\x01c\x1fd\x7fe"},
		{"non-ASCII", "été 日本 🙂 \uFFFD"},
		{"invalid UTF-8", "a\xffb\xc3"},
		{"empty string", ""},
		{"true", true},
		{"false", false},
		{"int", int32(-2147483648)},
		{"long", int64(math.MaxInt64)},
		{"short", int16(-7)},
		{"byte", int8(127)},
		{"double", 1.0 / 3},
		{"float", float32(2.5e-9)},
		{"dateTime", at},
		{"dateTime pointer", &at},
		{"dateTime in a zone", at.In(time.FixedZone("", 5*3600+1800))},
		{"enumeration", types.VirtualMachinePowerStatePoweredOn},
		{"empty enumeration", types.VirtualMachineToolsStatus("")},
		{"reference", ref},
		{"reference pointer", &ref},
		{"nil reference pointer", (*types.ManagedObjectReference)(nil)},
		{"reference with server GUID and escapes", types.ManagedObjectReference{Type: "Virtual<Machine>", Value: "vm&1", ServerGUID: `g"1`}},
		{"references", types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{
			{Type: "Datastore", Value: "datastore-1"}, {Type: "Datastore", Value: "datastore-2", ServerGUID: "g"}}}},
		{"no references", types.ArrayOfManagedObjectReference{}},
		{"strings", types.ArrayOfString{String: []string{"a", "", "<b>", "c"}}},
		{"no strings", types.ArrayOfString{}},
		{"unset", nil},
		{"ints", types.ArrayOfInt{Int: []int32{1, 2}}},
		{"quick stats", types.VirtualMachineQuickStats{OverallCpuUsage: 12, GuestHeartbeatStatus: types.ManagedEntityStatusGreen}},
		{"snapshot tree", &types.VirtualMachineSnapshotInfo{
			CurrentSnapshot: &types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-2"},
			RootSnapshotList: []types.VirtualMachineSnapshotTree{{
				Snapshot: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-1"},
				Name:     "before <upgrade> & after", CreateTime: at, State: types.VirtualMachinePowerStatePoweredOff,
				ChildSnapshotList: []types.VirtualMachineSnapshotTree{{
					Snapshot: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-2"},
					Name:     "child", CreateTime: at, Quiesced: true,
				}},
			}},
		}},
		{"text naming govmomi's type prefix", &types.VirtualMachineSnapshotInfo{RootSnapshotList: []types.VirtualMachineSnapshotTree{{
			Snapshot: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-1"},
			Name:     ` _XMLSchema-instance:type="x"`, Description: ` xmlns:_XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"`,
			CreateTime: at, State: types.VirtualMachinePowerStatePoweredOff,
		}}}},
		{"devices (interfaces inside)", types.ArrayOfVirtualDevice{VirtualDevice: []types.BaseVirtualDevice{
			&types.VirtualDisk{VirtualDevice: types.VirtualDevice{Key: 2000, DeviceInfo: &types.Description{Label: "Hard disk 1", Summary: "1 GB"}},
				CapacityInBytes: 1 << 30},
			&types.VirtualE1000{VirtualEthernetCard: types.VirtualEthernetCard{VirtualDevice: types.VirtualDevice{Key: 4000}, MacAddress: "00:50:56:00:00:01"}},
		}}},
		{"any types", types.ArrayOfAnyType{AnyType: []types.AnyType{"a", int32(1), ref}}},
		{"nested any types", types.ArrayOfAnyType{AnyType: []types.AnyType{types.ArrayOfAnyType{AnyType: []types.AnyType{int64(2), at}},
			types.ArrayOfInt{Int: []int32{0, 3}}, &types.Description{Label: "l"}}}},
		{"file layout", layout},
		{"file layout's files", types.ArrayOfVirtualMachineFileLayoutExFileInfo{VirtualMachineFileLayoutExFileInfo: layout.File}},
		{"file layout's disks", types.ArrayOfVirtualMachineFileLayoutExDiskLayout{VirtualMachineFileLayoutExDiskLayout: layout.Disk}},
		{"file layout's snapshots", types.ArrayOfVirtualMachineFileLayoutExSnapshotLayout{VirtualMachineFileLayoutExSnapshotLayout: layout.Snapshot}},
		{"empty file layout", &types.VirtualMachineFileLayoutEx{}},
		{"no files", types.ArrayOfVirtualMachineFileLayoutExFileInfo{}},
		{"cluster summary", &types.ClusterComputeResourceSummary{
			ComputeResourceSummary: types.ComputeResourceSummary{TotalCpu: 48000, TotalMemory: 1 << 40, NumCpuCores: 96, NumCpuThreads: 192,
				EffectiveCpu: 45000, EffectiveMemory: 1 << 19, NumHosts: 4, NumEffectiveHosts: 4, OverallStatus: types.ManagedEntityStatusYellow},
			CurrentFailoverLevel: 1, NumVmotions: 3, TargetBalance: 200,
			UsageSummary: &types.ClusterUsageSummary{TotalCpuCapacityMhz: 48000, TotalMemCapacityMB: 1 << 20, CpuDemandMhz: 1200, MemDemandMB: 4096},
			AdmissionControlInfo: &types.ClusterFailoverHostAdmissionControlInfo{HostStatus: []types.ClusterFailoverHostAdmissionControlInfoHostStatus{
				{Host: ref, Status: types.ManagedEntityStatusGreen}}},
		}},
		{"cluster summary, zero", &types.ClusterComputeResourceSummary{}},
		{"omitempty zero values", &types.VirtualMachineQuickStats{}},
		{"times and nil times", types.AlarmState{Key: "alarm-1.vm-1", Entity: ref, Alarm: ref, Time: at.In(time.FixedZone("", -7*3600)), AcknowledgedTime: nil}},
		{"zero time", types.AlarmState{AcknowledgedTime: &time.Time{}}},
		{"attributes of references within", types.ArrayOfVirtualMachineFileLayoutExSnapshotLayout{VirtualMachineFileLayoutExSnapshotLayout: []types.VirtualMachineFileLayoutExSnapshotLayout{
			{Key: types.ManagedObjectReference{Type: "Virtual<Snapshot>", Value: "s&1", ServerGUID: `g"`}, DataKey: 1, MemoryKey: -1}}}},
	}
}

// byteSliceValues are values of the table holding a types.ByteSlice, kept
// out of leanValues, which seeds FuzzLeanDecodeMatchesGovmomi: on a
// syntax error inside one, govmomi's ByteSlice.UnmarshalXML asks for the
// next token forever.
var byteSliceValues = []struct {
	name string
	val  any
}{
	{"bytes as types.ByteSlice", types.HostDigestInfo{DigestMethod: "SHA256", DigestValue: types.ByteSlice{0, 1, 127, 128, 255}, ObjectName: "pcr0"}},
	{"empty types.ByteSlice", types.HostDigestInfo{DigestMethod: "SHA256", DigestValue: types.ByteSlice{}}},
}

// leanMissing are the faults of the table's missing sets.
var leanMissing = []types.MissingProperty{
	{Path: "config.bogus", Fault: types.LocalizedMethodFault{Fault: &types.InvalidProperty{Name: "config.bogus"}}},
	{Path: "config", Fault: types.LocalizedMethodFault{Fault: &types.NoPermission{
		Object: &types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}, PrivilegeId: "System.Read"},
		LocalizedMessage: "no <access>"}},
}

// TestLeanEncodingIsVcsims: the lean encoding of a retrieval's answer, of
// each value of the table as a property, and with a missing set and a
// page's token, is the bytes vcsim writes; both decode, with govmomi's
// decoder and with the lean one, to the values encoded.
func TestLeanEncodingIsVcsims(t *testing.T) {
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}
	results := map[string]*types.RetrieveResult{
		"nothing":           nil,
		"no objects":        {},
		"missing and token": {Token: "vtui-page-<1>", Objects: []types.ObjectContent{{Obj: vm, MissingSet: leanMissing}, {Obj: vm}}},
	}
	for _, v := range append(leanValues(), byteSliceValues...) {
		results[v.name] = &types.RetrieveResult{Objects: []types.ObjectContent{{Obj: vm, PropSet: []types.DynamicProperty{
			{Name: "p", Val: v.val}, {Name: "name", Val: "after"}}}}}
	}
	for name, rr := range results {
		res := &types.RetrievePropertiesExResponse{Returnval: rr}
		want := leanenc.ShortenXSITypes(vcsimAnswer(t, "RetrievePropertiesExResponse", res))
		got := vcsimAnswer(t, "Res", leanenc.RetrievePropertiesEx(res))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: lean encoding\n%s\nwant vcsim's\n%s", name, got, want)
		}
		var fromVcsim, fromLean methods.RetrievePropertiesExBody
		decodeGovmomi(t, want, &fromVcsim)
		decodeGovmomi(t, got, &fromLean)
		var leanDecoded methods.RetrievePropertiesExBody
		if _, err := conn.DecodeRetrievePropertiesEx(got, &leanDecoded, nil); err != nil {
			t.Fatalf("%s: lean decoder: %v", name, err)
		}
		if !reflect.DeepEqual(fromLean.Res, fromVcsim.Res) || !reflect.DeepEqual(leanDecoded.Res, fromVcsim.Res) {
			t.Errorf("%s: the lean encoding decodes to\n%#v (govmomi)\n%#v (lean)\nwant, as vcsim's,\n%#v", name, fromLean.Res, leanDecoded.Res, fromVcsim.Res)
		}
	}

	// A page after the first, whose returnval is not a pointer.
	res := &types.ContinueRetrievePropertiesExResponse{Returnval: *results["missing and token"]}
	if got, want := vcsimAnswer(t, "Res", leanenc.ContinueRetrievePropertiesEx(res)), leanenc.ShortenXSITypes(vcsimAnswer(t, "ContinueRetrievePropertiesExResponse", res)); !bytes.Equal(got, want) {
		t.Errorf("a continued retrieval: lean encoding\n%s\nwant vcsim's\n%s", got, want)
	}
}

// TestLeanEncodingOfUpdatesIsVcsims: the same for the answers of
// WaitForUpdatesEx: each value of the table as a change, changes without a
// value, each kind of update, missing sets of objects and properties, and
// truncated set or not.
func TestLeanEncodingOfUpdatesIsVcsims(t *testing.T) {
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}
	filter := types.ManagedObjectReference{Type: "PropertyFilter", Value: "session[1]f"}
	sets := map[string]*types.UpdateSet{
		"nothing":    nil,
		"no filters": {Version: "1"},
		"missing, kinds and truncated": {Version: "", Truncated: types.NewBool(true), FilterSet: []types.PropertyFilterUpdate{{
			Filter: filter,
			ObjectSet: []types.ObjectUpdate{
				{Kind: types.ObjectUpdateKindEnter, Obj: vm, MissingSet: leanMissing},
				{Kind: types.ObjectUpdateKindModify, Obj: vm, ChangeSet: []types.PropertyChange{
					{Name: "snapshot", Op: types.PropertyChangeOpRemove}, {Name: "tag", Op: types.PropertyChangeOpAdd, Val: "x"}}},
				{Kind: types.ObjectUpdateKindLeave, Obj: vm},
			},
			MissingSet: []types.MissingObject{{Obj: vm, Fault: types.LocalizedMethodFault{Fault: &types.ManagedObjectNotFound{Obj: vm}}}},
		}, {Filter: filter}}},
		"not truncated": {Version: "7", Truncated: types.NewBool(false)},
	}
	for _, v := range append(leanValues(), byteSliceValues...) {
		sets[v.name] = &types.UpdateSet{Version: "3", FilterSet: []types.PropertyFilterUpdate{{Filter: filter, ObjectSet: []types.ObjectUpdate{{
			Kind: types.ObjectUpdateKindEnter, Obj: vm, ChangeSet: []types.PropertyChange{
				{Name: "p", Op: types.PropertyChangeOpAssign, Val: v.val}, {Name: "name", Op: types.PropertyChangeOpAssign, Val: "after"}}}}}}}
	}
	for name, set := range sets {
		res := &types.WaitForUpdatesExResponse{Returnval: set}
		want := leanenc.ShortenXSITypes(vcsimAnswer(t, "WaitForUpdatesExResponse", res))
		got := vcsimAnswer(t, "Res", leanenc.WaitForUpdatesEx(res))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: lean encoding\n%s\nwant vcsim's\n%s", name, got, want)
		}
		var fromVcsim, fromLean, leanDecoded methods.WaitForUpdatesExBody
		decodeGovmomi(t, want, &fromVcsim)
		decodeGovmomi(t, got, &fromLean)
		if _, err := conn.DecodeUpdateSet(got, &leanDecoded); err != nil {
			t.Fatalf("%s: lean decoder: %v", name, err)
		}
		if !reflect.DeepEqual(fromLean.Res, fromVcsim.Res) || !reflect.DeepEqual(leanDecoded.Res, fromVcsim.Res) {
			t.Errorf("%s: the lean encoding decodes to\n%#v (govmomi)\n%#v (lean)\nwant, as vcsim's,\n%#v", name, fromLean.Res, leanDecoded.Res, fromVcsim.Res)
		}
	}
}
