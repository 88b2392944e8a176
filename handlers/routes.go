package handlers

// routeTable maps each command path (as Invocation.Name gives it) to the
// function that answers it. Every command of Grammar has exactly one entry;
// a test checks both directions.
func (h *Handlers) routeTable() map[string]commandFunc {
	return map[string]commandFunc{
		// student.go, goals.go
		"help":         h.cmdHelp,
		"plan":         h.cmdPlan,
		"profile show": h.cmdProfileShow,
		"profile set":  h.cmdProfileSet,
		"goal add":     h.cmdGoalAdd,
		"goal list":    h.cmdGoalList,
		"goal done":    h.cmdGoalDone,
		"goal drop":    h.cmdGoalDrop,
		"goal pause":   h.cmdGoalPause,
		"goal resume":  h.cmdGoalResume,
		"goal edit":    h.cmdGoalEdit,
		"step add":     h.cmdStepAdd,
		"step done":    h.cmdStepDone,
		"checkin":      h.cmdCheckIn,
		"reflect":      h.cmdReflect,
		"export":       h.cmdExport,
		"away set":     h.cmdAwaySet,
		"away off":     h.cmdAwayOff,
		// classes.go, staff.go, conferences.go, admin.go
		"class create":        h.cmdClassCreate,
		"class add":           h.cmdClassAdd,
		"class remove":        h.cmdClassRemove,
		"class list":          h.cmdClassList,
		"roster":              h.cmdRoster,
		"student":             h.cmdStudent,
		"feedback":            h.cmdFeedback,
		"conference repeat":   h.cmdConferenceRepeat,
		"conference schedule": h.cmdConferenceSchedule,
		"conference list":     h.cmdConferenceList,
		"conference agenda":   h.cmdConferenceAgenda,
		"conference done":     h.cmdConferenceDone,
		"conference cancel":   h.cmdConferenceCancel,
		"conference end":      h.cmdConferenceEnd,
		"flag":                h.cmdFlag,
		"role":                h.cmdRole,
		"forget":              h.cmdForget,

		// schedule_cmd.go
		"schedule show":        h.cmdScheduleShow,
		"schedule reflections": h.cmdScheduleReflections,
		"schedule summaries":   h.cmdScheduleSummaries,
	}
}
