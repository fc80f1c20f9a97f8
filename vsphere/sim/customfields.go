package sim

import (
	"fmt"
	"slices"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Custom attributes as vCenter sets them
//
// vcsim's CustomFieldsManager.SetField and ManagedEntity.setCustomValue
// change an entity's customValue in place, behind its watchers' backs,
// and post nothing (vcsim has no setCustomValue on clusters or hosts at
// all). vtui's simulator serves both itself: the entity's customValue and
// value change through property updates, and vCenter's
// CustomFieldValueChangedEvent is posted, naming the attribute, the
// entity, the previous and the new value, and the session's user. (This
// is the event vCenter posts for a custom attribute, the drill lock
// vtui.drill.lock included; it posts no ClusterReconfiguredEvent for one,
// since the cluster's configuration does not change.)

// SetField sets the custom attribute req.Key of req.Entity.
func (vc *vcenter) SetField(ctx *simulator.Context, req *types.SetField) soap.HasFault {
	body := new(methods.SetFieldBody)
	def := fieldDef(ctx, func(d types.CustomFieldDef) bool { return d.Key == req.Key })
	if def == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("no custom attribute has key %d", req.Key), &types.InvalidArgument{InvalidProperty: "key"})
		return body
	}
	if body.Fault_ = setField(ctx, req.Entity, *def, req.Value); body.Fault_ == nil {
		body.Res = new(types.SetFieldResponse)
	}
	return body
}

// SetCustomValue sets the custom attribute named req.Key of the entity
// req.This; the attribute must exist for the entity's type.
func (vc *vcenter) SetCustomValue(ctx *simulator.Context, req *types.SetCustomValue) soap.HasFault {
	body := new(methods.SetCustomValueBody)
	def := fieldDef(ctx, func(d types.CustomFieldDef) bool {
		return d.Name == req.Key && (d.ManagedObjectType == "" || d.ManagedObjectType == req.This.Type)
	})
	if def == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("no custom attribute %q applies to a %s", req.Key, req.This.Type),
			&types.InvalidArgument{InvalidProperty: "key"})
		return body
	}
	if body.Fault_ = setField(ctx, req.This, *def, req.Value); body.Fault_ == nil {
		body.Res = new(types.SetCustomValueResponse)
	}
	return body
}

// fieldDef returns the first custom attribute definition match accepts, or nil.
func fieldDef(ctx *simulator.Context, match func(types.CustomFieldDef) bool) *types.CustomFieldDef {
	cfm := ctx.Map.CustomFieldsManager()
	var def *types.CustomFieldDef
	ctx.WithLock(cfm, func() {
		if i := slices.IndexFunc(cfm.Field, match); i >= 0 {
			d := cfm.Field[i]
			def = &d
		}
	})
	return def
}

// setField sets the attribute def of the entity ref to value, telling
// watchers, and posts CustomFieldValueChangedEvent.
func setField(ctx *simulator.Context, ref types.ManagedObjectReference, def types.CustomFieldDef, value string) *soap.Fault {
	obj := ctx.Map.Get(ref)
	ent, ok := obj.(mo.Entity)
	if !ok {
		return simulator.Fault(fmt.Sprintf("entity %s not found", ref), &types.ManagedObjectNotFound{Obj: ref})
	}
	var prev, name string
	ctx.WithLock(obj, func() {
		e := ent.Entity()
		name = e.Name
		vals := slices.DeleteFunc(slices.Clone(e.CustomValue), func(v types.BaseCustomFieldValue) bool {
			if v.GetCustomFieldValue().Key != def.Key {
				return false
			}
			if s, ok := v.(*types.CustomFieldStringValue); ok {
				prev = s.Value
			}
			return true
		})
		vals = append(vals, &types.CustomFieldStringValue{CustomFieldValue: types.CustomFieldValue{Key: def.Key}, Value: value})
		ctx.Update(obj, []types.PropertyChange{{Name: "customValue", Val: vals}, {Name: "value", Val: slices.Clone(vals)}})
	})
	postEvent(ctx, &types.CustomFieldValueChangedEvent{
		CustomFieldEvent: types.CustomFieldEvent{Event: types.Event{Datacenter: datacenterArg(ctx, ref)}},
		Entity:           types.ManagedEntityEventArgument{EntityEventArgument: types.EntityEventArgument{Name: name}, Entity: ref},
		FieldKey:         def.Key,
		Name:             def.Name,
		Value:            value,
		PrevState:        prev,
	})
	return nil
}
