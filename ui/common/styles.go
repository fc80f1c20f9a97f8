package common

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ui/table"
)

// Theme is the palette. Colours adapt to light and dark terminals.
type Theme struct {
	Accent, Muted, Text, Good, Warn, Bad, SelectedBg, SelectedFg, MarkFg, MatchBg lipgloss.TerminalColor
}

// DefaultTheme returns vtui's palette.
func DefaultTheme() Theme {
	return Theme{
		Accent:     lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"},
		Muted:      lipgloss.AdaptiveColor{Light: "#6C6C6C", Dark: "#8A8A8A"},
		Text:       lipgloss.AdaptiveColor{Light: "#1C1C1C", Dark: "#E4E4E4"},
		Good:       lipgloss.AdaptiveColor{Light: "#007F00", Dark: "#5FD75F"},
		Warn:       lipgloss.AdaptiveColor{Light: "#AF5F00", Dark: "#FFAF00"},
		Bad:        lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF5F5F"},
		SelectedBg: lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"},
		SelectedFg: lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#000000"},
		MarkFg:     lipgloss.AdaptiveColor{Light: "#AF00AF", Dark: "#FF87FF"},
		MatchBg:    lipgloss.AdaptiveColor{Light: "#FFD75F", Dark: "#875F00"},
	}
}

// Styles are every look the UI uses, derived from one Theme and passed
// down; no component keeps styles of its own.
type Styles struct {
	Table      table.Styles
	Title      lipgloss.Style
	Crumb      lipgloss.Style
	Hint       lipgloss.Style
	StatusBar  lipgloss.Style
	Badge      lipgloss.Style
	Good       lipgloss.Style
	Warn       lipgloss.Style
	Bad        lipgloss.Style
	Banner     lipgloss.Style
	DetailBox  lipgloss.Style
	DetailKey  lipgloss.Style
	Help       lipgloss.Style
	PromptText lipgloss.Style
}

// NewStyles derives the Styles from t.
func NewStyles(t Theme) Styles {
	return Styles{
		Table: table.Styles{
			Header:    lipgloss.NewStyle().Bold(true).Foreground(t.Accent),
			Selected:  lipgloss.NewStyle().Reverse(true),
			Marked:    lipgloss.NewStyle().Foreground(t.MarkFg).Bold(true),
			Highlight: lipgloss.NewStyle().Background(t.MatchBg).Underline(true),
			Stale:     lipgloss.NewStyle().Foreground(t.Muted),
		},
		Title:      lipgloss.NewStyle().Bold(true).Foreground(t.Accent),
		Crumb:      lipgloss.NewStyle().Foreground(t.Text),
		Hint:       lipgloss.NewStyle().Foreground(t.Muted),
		StatusBar:  lipgloss.NewStyle().Foreground(t.Text),
		Badge:      lipgloss.NewStyle().Bold(true).Foreground(t.Warn),
		Good:       lipgloss.NewStyle().Foreground(t.Good),
		Warn:       lipgloss.NewStyle().Foreground(t.Warn),
		Bad:        lipgloss.NewStyle().Foreground(t.Bad),
		Banner:     lipgloss.NewStyle().Bold(true).Foreground(t.Warn),
		DetailBox:  lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(t.Muted).PaddingLeft(1),
		DetailKey:  lipgloss.NewStyle().Foreground(t.Accent),
		Help:       lipgloss.NewStyle().Padding(1, 2),
		PromptText: lipgloss.NewStyle().Foreground(t.Accent).Bold(true),
	}
}
