package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Scroll moves the offset of a view that scrolls by lines: a line with
// up or down, a page (page lines) with the table's page keys, or to
// either end with Home and End (the view clamps the end). ok is false for
// any other key.
func (c Common) Scroll(k tea.KeyMsg, up, down key.Binding, offset, page int) (_ int, ok bool) {
	t := c.Keys.Table
	switch {
	case key.Matches(k, up):
		return offset - 1, true
	case key.Matches(k, down):
		return offset + 1, true
	case key.Matches(k, t.PageUp):
		return offset - page, true
	case key.Matches(k, t.PageDown):
		return offset + page, true
	case key.Matches(k, t.Home):
		return 0, true
	case key.Matches(k, t.End):
		return 1 << 30, true
	}
	return offset, false
}
