package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/campaign"
	"bangfu/internal/household"
	"bangfu/internal/relief"
	"bangfu/internal/report"
)

// This file is the one table of who may call which route (SPEC §1.2), checked by authorize before any
// handler reads the body: a user who may not act gets 403 forbidden whatever they send, and learns nothing
// about how to shape a request they may not make. The areas check the same roles again in their services
// (that is the rule, for the CLI, imports and bulk actions too); this is the early refusal, and the list the
// UI builds its navigation from (AllowedRoutes, and "routes" in GET /me).
//
// Adding a route: add one line to routeRoles, keyed "METHOD /api/v1/path" exactly as echo registers it
// (":id" parameters included). TestPermissions_EveryRouteHasAnEntry fails on a route without one.

var (
	everyone = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor, actor.Admin}
	// caseReaders read households, applications and referrals in their scope. Not admin: SPEC §1.2, admin
	// manages users, orgs and policy versions and reads no case or money data.
	caseReaders = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}
	// fundReaders read the ledger; finance writes it.
	fundReaders = []actor.Role{actor.Finance, actor.Auditor, actor.Supervisor}
	onlyAdmin   = []actor.Role{actor.Admin}
	onlyCase    = []actor.Role{actor.Caseworker}
	onlySup     = []actor.Role{actor.Supervisor}
	onlyFinance = []actor.Role{actor.Finance}
	caseOrSup   = []actor.Role{actor.Caseworker, actor.Supervisor}
	// The audit trail's readers and verifiers are the audit area's own lists.
	auditReaders  = audit.Readers
	auditVerifier = audit.Verifiers
)

// publicRoutes are answered without a session: logging in, and the catch-all that answers 404 for an
// unknown API address.
var publicRoutes = map[string]bool{
	"POST /api/v1/session":     true,
	"GET /api/v1/openapi.json": true, // the API reference
	// The receiver of a campaign delivery confirms it from a phone with the one-time code (SPEC §5).
	"POST /api/v1/delivery-confirmations/lookup": true,
	"POST /api/v1/delivery-confirmations":        true,
}

// routeRoles maps every logged-in API route to the roles that may call it (any one is enough).
var routeRoles = map[string][]actor.Role{
	// Own account: every logged-in user.
	"DELETE /api/v1/session":   everyone,
	"GET /api/v1/me":           everyone,
	"GET /api/v1/vocabulary":   everyone, // the Chinese names of every code (vocabulary.go)
	"POST /api/v1/me/password": everyone,

	// Administration (SPEC §1.2: admin manages users, orgs and policy versions).
	"GET /api/v1/orgs":                everyone,
	"POST /api/v1/orgs":               onlyAdmin,
	"PATCH /api/v1/orgs/:id":          onlyAdmin,
	"GET /api/v1/users":               onlyAdmin,
	"GET /api/v1/users/export":        onlyAdmin,
	"POST /api/v1/users":              onlyAdmin,
	"GET /api/v1/users/:id":           onlyAdmin,
	"PATCH /api/v1/users/:id":         onlyAdmin,
	"POST /api/v1/users/:id/password": onlyAdmin,
	"POST /api/v1/users/:id/unlock":   onlyAdmin,
	"GET /api/v1/policies":            everyone,
	"GET /api/v1/policies/export":     everyone,
	"GET /api/v1/policies/current":    everyone,
	"GET /api/v1/policies/:id":        everyone,
	"POST /api/v1/policies":           onlyAdmin,
	"GET /api/v1/holidays":            everyone,
	"GET /api/v1/holidays/export":     everyone,
	"PUT /api/v1/holidays/:date":      onlyAdmin,
	"DELETE /api/v1/holidays/:date":   onlyAdmin,

	// Audit trail (SPEC §7).
	"GET /api/v1/audit/events":        auditReaders,
	"GET /api/v1/audit/events/export": auditReaders,
	"GET /api/v1/audit/verify":        auditVerifier,
	// Signed checkpoints of the trail's head (SPEC §7): sequence numbers and hashes, no case data.
	"GET /api/v1/audit/checkpoints":            auditVerifier,
	"POST /api/v1/audit/checkpoints":           {actor.Finance, actor.Auditor},
	"GET /api/v1/audit/checkpoints/:id/qr.png": auditVerifier,
	"POST /api/v1/audit/checkpoints/verify":    auditVerifier,

	// Finance audit (SPEC §8.2): the register and the summary for those who keep, check or decide on the money;
	// the reconciliation and the anomaly report for finance and auditors.
	"GET /api/v1/reports/register":       fundReaders,
	"GET /api/v1/reports/fund-use":       fundReaders,
	"GET /api/v1/reports/reconciliation": {actor.Finance, actor.Auditor},
	"GET /api/v1/reports/anomalies":      {actor.Finance, actor.Auditor},
	// Their exports (SPEC §8.1), for the same roles.
	"GET /api/v1/reports/register/export":       fundReaders,
	"GET /api/v1/reports/anomalies/export":      {actor.Finance, actor.Auditor},
	"GET /api/v1/reports/fund-use/export":       fundReaders,
	"GET /api/v1/reports/reconciliation/export": {actor.Finance, actor.Auditor},

	// Funds and ledger (SPEC §6): finance writes; finance, auditors and supervisors read.
	"GET /api/v1/funds":                        fundReaders,
	"GET /api/v1/funds/export":                 fundReaders,
	"POST /api/v1/funds":                       onlyFinance,
	"GET /api/v1/funds/:id":                    fundReaders,
	"GET /api/v1/funds/:id/transfers":          fundReaders,
	"GET /api/v1/funds/:id/transfers/export":   fundReaders,
	"POST /api/v1/funds/:id/receive":           onlyFinance,
	"POST /api/v1/funds/:id/budget":            onlyFinance,
	"GET /api/v1/funds/transfers/:id":          fundReaders,
	"POST /api/v1/funds/transfers/:id/reverse": onlyFinance,
	"GET /api/v1/allocations":                  fundReaders,
	"GET /api/v1/allocations/export":           fundReaders,
	"POST /api/v1/allocations":                 onlyFinance,

	// Household files (SPEC §3). The lifecycle actions take their roles from household.Lifecycle.
	"GET /api/v1/households":                         caseReaders,
	"GET /api/v1/households/export":                  caseReaders,
	"POST /api/v1/households":                        onlyCase,
	"POST /api/v1/households/duplicate-overrides":    onlySup,
	"GET /api/v1/households/:id":                     caseReaders,
	"GET /api/v1/households/publicity-rounds":        caseReaders, // the 公示 lists to print (SPEC §8.1)
	"GET /api/v1/households/publicity-rounds/:start": caseReaders,
	"PUT /api/v1/households/:id":                     onlyCase,
	"GET /api/v1/households/:id/members":             caseReaders,
	"GET /api/v1/households/:id/visits":              caseReaders,
	"GET /api/v1/households/:id/objections":          caseReaders,
	"GET /api/v1/households/:id/history":             caseReaders,
	"POST /api/v1/households/:id/reveal":             caseReaders,
	"GET /api/v1/households/:id/documents":           caseReaders,
	"POST /api/v1/households/:id/documents":          caseOrSup,
	"GET /api/v1/households/:id/documents/:doc":      caseReaders,
	"DELETE /api/v1/households/:id/documents/:doc":   caseOrSup,
	"POST /api/v1/households/:id/:action":            nil, // by action, see actionRoles

	// Referrals (SPEC §3.4).
	"GET /api/v1/referrals":            caseReaders,
	"GET /api/v1/referrals/export":     caseReaders,
	"POST /api/v1/referrals":           onlyCase,
	"GET /api/v1/referrals/:id":        caseReaders,
	"POST /api/v1/referrals/:id/close": caseOrSup,

	// Relief applications (SPEC §4). The workflow actions take their roles from relief.Workflow.
	"GET /api/v1/applications":                 caseReaders,
	"GET /api/v1/applications/export":          caseReaders,
	"POST /api/v1/applications":                onlyCase,
	"POST /api/v1/applications/check":          onlyCase, // the dry run of an unsaved form
	"POST /api/v1/applications/bulk-approve":   onlySup,
	"GET /api/v1/applications/:id":             caseReaders,
	"GET /api/v1/applications/forms":           caseReaders, // approval forms to print (SPEC §8.1)
	"PUT /api/v1/applications/:id":             onlyCase,
	"GET /api/v1/applications/:id/checks":      caseReaders,
	"GET /api/v1/applications/:id/decisions":   caseReaders,
	"GET /api/v1/applications/:id/history":     caseReaders,
	"POST /api/v1/applications/:id/reveal":     caseReaders,
	"POST /api/v1/applications/:id/:action":    nil, // by action, see actionRoles
	"GET /api/v1/reports/green-channel":        caseReaders,
	"GET /api/v1/reports/green-channel/export": caseReaders,
	// The dashboard and the year-end figures (SPEC §8.1), each in the reader's scope; admin reads no case data.
	"GET /api/v1/reports/dashboard":        caseReaders,
	"GET /api/v1/reports/dashboard/export": caseReaders,
	"GET /api/v1/reports/annual":           caseReaders,

	// Survey-list imports (SPEC §8.3): caseworkers import; a supervisor may check a file (dry run). The
	// service checks the same, and the scope of every row's union; a job is its uploader's alone.
	"GET /api/v1/imports":            caseOrSup,
	"POST /api/v1/imports":           caseOrSup,
	"GET /api/v1/imports/template":   caseOrSup,
	"GET /api/v1/imports/:id":        caseOrSup,
	"GET /api/v1/imports/:id/report": caseOrSup,
	"POST /api/v1/imports/:id/run":   onlyCase,

	// Campaigns (SPEC §5): finance creates, buys, sets quotas and closes; caseworkers record deliveries and
	// enrolments; supervisors and auditors read. The :action routes take their roles from campaign.Rules.
	"GET /api/v1/campaigns":                         caseReaders,
	"GET /api/v1/campaigns/export":                  caseReaders,
	"POST /api/v1/campaigns":                        onlyFinance,
	"GET /api/v1/campaigns/:id":                     caseReaders,
	"GET /api/v1/campaigns/:id/report":              caseReaders,
	"GET /api/v1/reports/campaigns":                 caseReaders, // coverage across campaigns, in scope
	"GET /api/v1/reports/campaigns/export":          caseReaders,
	"POST /api/v1/campaigns/:id/:action":            nil, // by action, see actionRoles
	"GET /api/v1/campaigns/:id/goods":               caseReaders,
	"POST /api/v1/campaigns/:id/goods":              onlyFinance,
	"GET /api/v1/campaigns/:id/purchases":           caseReaders,
	"POST /api/v1/campaigns/:id/purchases":          onlyFinance,
	"GET /api/v1/campaigns/:id/deliveries":          caseReaders,
	"POST /api/v1/campaigns/:id/deliveries":         onlyCase,
	"GET /api/v1/campaigns/:id/quotas":              caseReaders,
	"PUT /api/v1/campaigns/:id/quotas":              onlyFinance,
	"GET /api/v1/campaigns/:id/enrolments":          caseReaders,
	"GET /api/v1/campaigns/:id/deliveries/export":   caseReaders,
	"GET /api/v1/campaigns/:id/enrolments/export":   caseReaders,
	"POST /api/v1/campaigns/:id/enrolments":         onlyCase,
	"GET /api/v1/campaigns/:id/warmth":              caseReaders,
	"GET /api/v1/campaigns/:id/warmth/export":       caseReaders,
	"POST /api/v1/campaigns/:id/warmth":             onlyCase, // 送温暖: the list, as relief applications
	"POST /api/v1/campaigns/:id/warmth/approve":     onlySup,  // 批量审批名单, while the campaign runs
	"POST /api/v1/campaigns/purchases/:id/reverse":  onlyFinance,
	"GET /api/v1/campaigns/deliveries/:id":          caseReaders,
	"POST /api/v1/campaigns/deliveries/:id/qr":      caseReaders, // the slip's QR code; the code proves who holds it
	"POST /api/v1/campaigns/deliveries/:id/:action": nil,         // by action, see actionRoles
	"POST /api/v1/campaigns/enrolments/:id/:action": nil,         // by action, see actionRoles
}

// actionRoles gives, for the routes whose last segment is a state-machine action, the roles of that action
// from the area's own transition table, so the rule is written once. ok is false for an unknown action.
var actionRoles = map[string]func(action string) (roles []actor.Role, ok bool){
	"POST /api/v1/households/:id/:action": func(action string) ([]actor.Role, bool) {
		for _, t := range household.Lifecycle {
			if t.Action == action {
				return t.Roles, true
			}
		}
		return nil, false
	},
	"POST /api/v1/applications/:id/:action": func(action string) ([]actor.Role, bool) {
		for _, t := range relief.Workflow {
			if t.Action == action {
				return t.Roles, true
			}
		}
		return nil, false
	},
	"POST /api/v1/campaigns/:id/:action":            campaign.LifecycleRoles,
	"POST /api/v1/campaigns/deliveries/:id/:action": campaignActionRoles(campaign.DeliveryActions()),
	"POST /api/v1/campaigns/enrolments/:id/:action": campaignActionRoles(campaign.EnrolmentActions()),
}

// campaignActionRoles gives the roles of the campaign actions named, from campaign.Rules.
func campaignActionRoles(actions []string) func(string) ([]actor.Role, bool) {
	return func(action string) ([]actor.Role, bool) {
		if !slices.Contains(actions, action) {
			return nil, false
		}
		return campaign.RecordRoles(action)
	}
}

// routeKey is how routes are named in the table: the method and the path as echo registers it.
func routeKey(method, path string) string { return method + " " + path }

// isCatchAll reports whether path is one of the catch-all routes that only answer 404.
func isCatchAll(path string) bool { return strings.HasSuffix(path, "/*") || path == "/api/v1" }

// RouteRoles returns the roles that may call the route (method, path as echo registers it) and, for a
// state-machine route, the action named by its last path segment. public is true for a route answered
// without a session; known is false for a route (or action) the table does not name.
func RouteRoles(method, path, action string) (roles []actor.Role, public, known bool) {
	key := routeKey(method, path)
	if publicRoutes[key] || isCatchAll(path) {
		return nil, true, true
	}
	roles, known = routeRoles[key]
	if by, ok := actionRoles[key]; ok {
		roles, known = by(action)
	}
	return roles, false, known
}

// mayCall reports whether a user with roles may call the route.
func mayCall(userRoles []actor.Role, method, path, action string) bool {
	roles, public, known := RouteRoles(method, path, action)
	if public {
		return true
	}
	return known && slices.ContainsFunc(userRoles, func(r actor.Role) bool { return slices.Contains(roles, r) })
}

// AllowedRoutes lists, sorted, the routes a user holding roles may call, as "METHOD /api/v1/path" keys of
// the table; a state-machine route appears once per action the roles may take, with the action in place of
// ":action" (e.g. "POST /api/v1/households/:id/file"). The UI builds its navigation from it (GET /me
// answers it as "routes"): a page is listed when the user may call the list route it shows.
func AllowedRoutes(roles []actor.Role) []string {
	out := []string{}
	for key := range routeRoles {
		method, path, _ := strings.Cut(key, " ")
		if _, ok := actionRoles[key]; ok {
			for _, action := range stateActions(key) {
				concrete := method + " " + strings.TrimSuffix(path, ":action") + action
				if _, static := routeRoles[concrete]; static {
					continue // echo routes it to its own entry (…/documents, …/reveal)
				}
				if mayCall(roles, method, path, action) {
					out = append(out, concrete)
				}
			}
			continue
		}
		if mayCall(roles, method, path, "") {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// stateActions lists the actions of a state-machine route, in table order.
func stateActions(key string) []string {
	var out []string
	switch key {
	case "POST /api/v1/households/:id/:action":
		for _, t := range household.Lifecycle {
			out = append(out, t.Action)
		}
	case "POST /api/v1/applications/:id/:action":
		for _, t := range relief.Workflow {
			out = append(out, t.Action)
		}
	case "POST /api/v1/campaigns/:id/:action":
		out = campaign.LifecycleActions()
	case "POST /api/v1/campaigns/deliveries/:id/:action":
		out = campaign.DeliveryActions()
	case "POST /api/v1/campaigns/enrolments/:id/:action":
		out = campaign.EnrolmentActions()
	}
	return out
}

// authorize refuses, before any handler runs (and so before any body is read or validated), a request from
// a user whose roles the table does not allow on the matched route. A route missing from the table is
// refused too: access is granted only by an entry, never by omission.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		method, path := c.Request().Method, c.Path()
		if method == http.MethodHead {
			method = http.MethodGet
		}
		roles, public, known := RouteRoles(method, path, c.Param("action"))
		switch {
		case public:
			return next(c)
		case !known && c.Param("action") != "" && actionRoles[routeKey(method, path)] != nil:
			return apperr.NotFoundf("没有这个操作：%s", c.Param("action"))
		case !known:
			s.log.Error("route without an entry in the permission table", "route", routeKey(method, path))
			return apperr.Forbiddenf("无权执行此操作")
		}
		if err := actorOf(c).Require(roles...); err != nil {
			return err
		}
		return next(c)
	}
}

// capabilities are the choices inside a route that its area allows by role, named for the UI: GET /me answers
// the ones the user has, and a page asks ctx.can(name) before it offers the choice. The area decides: each
// entry is the area's own rule, not a copy of it.
var capabilities = map[string]func(actor.Actor) bool{
	"export.unmasked": report.MayUnmask, // SPEC §8.1: an export with full numbers
}

// Capabilities lists, sorted, the capabilities a user holding roles has; CapabilityNames every one there is.
func Capabilities(roles []actor.Role) []string {
	out := []string{}
	for name, may := range capabilities {
		if may(actor.Actor{Roles: roles}) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// CapabilityNames lists, sorted, every capability the server names.
func CapabilityNames() []string {
	out := []string{}
	for name := range capabilities {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// PermissionTable lists every route the table names, public ones included, as "METHOD /api/v1/path" keys,
// sorted; tests compare it with the routes the server registers.
func PermissionTable() []string {
	out := []string{}
	for key := range routeRoles {
		out = append(out, key)
	}
	for key := range publicRoutes {
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

// StateActions lists the actions of a state-machine route ("POST /api/v1/households/:id/:action"), nil
// for any other route.
func StateActions(method, path string) []string { return stateActions(routeKey(method, path)) }
