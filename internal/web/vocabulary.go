package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/campaign"
	"bangfu/internal/demo"
	"bangfu/internal/finaudit"
	"bangfu/internal/household"
	"bangfu/internal/importer"
	"bangfu/internal/ledger"
	"bangfu/internal/org"
	"bangfu/internal/policy"
	"bangfu/internal/referral"
	"bangfu/internal/relief"
	"bangfu/internal/report"
)

// named is one code with its Chinese name; lists keep the order the UI shows them in.
type named struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// vocabulary is GET /api/v1/vocabulary: the Chinese names of every code the API answers with, taken from the
// areas that own the codes, so that the UI keeps no copy of its own (labels.js loads it once at start-up).
type vocabulary struct {
	Roles               []named             `json:"roles"`
	ExclusiveRoles      []actor.Role        `json:"exclusive_roles"`
	OrgLevels           []named             `json:"org_levels"`
	HouseholdStatuses   []named             `json:"household_statuses"`
	HouseholdCategories []named             `json:"household_categories"`
	HouseholdSteps      []named             `json:"household_steps"` // the lifecycle actions with a button of their own
	DocumentKinds       []named             `json:"document_kinds"`
	ApplicationTypes    []named             `json:"application_types"`
	ApplicationStatuses []named             `json:"application_statuses"`
	ApplicationActions  []named             `json:"application_actions"`
	RequiredDocuments   map[string][]string `json:"required_documents"` // per aid type, before submission
	GreenDocuments      []string            `json:"green_documents"`    // a green-channel case's, up front
	EducationStages     []string            `json:"education_stages"`   // the school stages 金秋助学 covers
	CampaignKinds       []named             `json:"campaign_kinds"`
	CampaignStatuses    []named             `json:"campaign_statuses"`
	AccountKinds        []named             `json:"account_kinds"`
	AidTypes            []named             `json:"aid_types"`
	FundPurposes        []named             `json:"fund_purposes"`
	TransferKinds       []named             `json:"transfer_kinds"`
	TransferStates      []named             `json:"transfer_states"`
	PaymentMethods      []named             `json:"payment_methods"`
	AuditActions        []named             `json:"audit_actions"` // every code the audit trail can hold, by code
	AuditEntityTypes    []named             `json:"audit_entity_types"`

	// The coded fields of a household and its members (SPEC §3.1) and of an application (SPEC §4).
	Genders            []named `json:"genders"`
	Industries         []named `json:"industries"`
	Causes             []named `json:"causes"`
	Relations          []named `json:"relations"`
	SchoolStages       []named `json:"school_stages"`
	EmploymentStatuses []named `json:"employment_statuses"`
	HealthStates       []named `json:"health_states"`
	Disabilities       []named `json:"disabilities"`
	ExitReasons        []named `json:"exit_reasons"`
	ReviewDecisions    []named `json:"review_decisions"` // the annual review's conclusions
	GreenReasons       []named `json:"green_reasons"`
	ReceiptKinds       []named `json:"receipt_kinds"`
	ReviewOutcomes     []named `json:"review_outcomes"`

	ReferralStatuses  []named `json:"referral_statuses"`
	CampaignActions   []named `json:"campaign_actions"`
	DeliveryStatuses  []named `json:"delivery_statuses"`
	EnrolmentStatuses []named `json:"enrolment_statuses"`
	SiteKinds         []named `json:"site_kinds"`
	WarmthResults     []named `json:"warmth_results"` // of each item of a warmth run
	ImportActions     []named `json:"import_actions"` // what an import does with each household of the file

	PolicyParams []policy.ParamSpec `json:"policy_params"` // SPEC §2, in display order
}

func names[K ~string](order []K, names map[K]string) []named {
	out := make([]named, 0, len(order))
	for _, k := range order {
		out = append(out, named{string(k), names[k]})
	}
	return out
}

// auditActionAreas are the areas' names of the audit action codes they write; TestVocabulary_NamesEveryAuditAction
// finds every code the source can write and fails on one none of them names.
var auditActionAreas = []map[string]string{
	auth.AuditActions, org.AuditActions, policy.AuditActions, household.AuditActions(), relief.AuditActions(),
	ledger.AuditActions(), campaign.AuditActions(), referral.AuditActions, audit.AuditActions, report.AuditActions,
	finaudit.AuditActions, importer.AuditActions, demo.AuditActions,
}

// auditActionNames merges the areas' audit action names; two areas naming one code differently is a bug.
func auditActionNames() (map[string]string, error) {
	out := map[string]string{}
	for _, m := range auditActionAreas {
		for code, name := range m {
			if prev, ok := out[code]; ok && prev != name {
				return nil, fmt.Errorf("audit action %s is named both %q and %q", code, prev, name)
			}
			out[code] = name
		}
	}
	return out, nil
}

// exportActionNames are the names for the audit trail's export; a conflict between areas, which the
// vocabulary test refuses, leaves the export with the codes alone.
func exportActionNames() map[string]string {
	names, err := auditActionNames()
	if err != nil {
		return nil
	}
	return names
}

func buildVocabulary() vocabulary {
	v := vocabulary{
		Roles:               names(actor.Roles, actor.RoleNames),
		ExclusiveRoles:      actor.ExclusiveRoles,
		HouseholdStatuses:   names(household.Statuses, household.StatusNames),
		HouseholdCategories: names(household.Categories, household.CategoryNames),
		HouseholdSteps:      names(household.Steps(), household.ActionNames),
		DocumentKinds:       names(household.DocumentKindOrder, household.DocumentKinds),
		ApplicationTypes:    names(relief.Types, relief.TypeNames),
		ApplicationStatuses: names(relief.Statuses, relief.StatusNames),
		ApplicationActions:  names(relief.ActionOrder(), relief.ActionNames),
		RequiredDocuments:   map[string][]string{},
		GreenDocuments:      relief.GreenDocs,
		EducationStages:     relief.EducationStages,
		CampaignKinds:       names(campaign.Kinds, campaign.KindNames),
		CampaignStatuses:    names(campaign.Statuses, campaign.StatusNames),
		AccountKinds:        names(ledger.Kinds, ledger.KindNames),
		AidTypes:            names(ledger.AidTypeOrder, ledger.AidTypes),
		FundPurposes:        names(ledger.PurposeOrder, ledger.Purposes),
		TransferKinds:       names(ledger.TransferKinds, ledger.TransferKindNames),
		TransferStates:      names([]string{ledger.Pending, ledger.Posted, ledger.Voided}, ledger.StateNames),
		PaymentMethods:      names([]string{"bank", "cash"}, ledger.PaymentMethods),
		AuditEntityTypes:    names(audit.EntityTypes, audit.EntityTypeNames),

		Genders:            names(household.Genders, household.GenderNames),
		Industries:         names(household.Industries, household.IndustryNames),
		Causes:             names(household.Causes, household.CauseNames),
		Relations:          names(household.Relations, household.RelationNames),
		SchoolStages:       names(household.SchoolStages, household.SchoolStageNames),
		EmploymentStatuses: names(household.EmploymentStatuses, household.EmploymentStatusNames),
		HealthStates:       names(household.HealthStates, household.HealthStateNames),
		Disabilities:       names(household.Disabilities, household.DisabilityNames),
		ExitReasons:        names(household.ExitReasons, household.ExitReasonNames),
		ReviewDecisions:    names(household.ReviewDecisions, household.ReviewDecisionNames),
		GreenReasons:       names(relief.GreenReasons, relief.GreenReasonNames),
		ReceiptKinds:       names(relief.ReceiptKinds, relief.ReceiptKindNames),
		ReviewOutcomes:     names(relief.ReviewOutcomes, relief.ReviewOutcomeNames),

		ReferralStatuses:  names(referral.Statuses, referral.StatusNames),
		CampaignActions:   names(campaign.ActionOrder(), campaign.ActionNames),
		DeliveryStatuses:  names(campaign.DeliveryStatuses, campaign.DeliveryStatusNames),
		EnrolmentStatuses: names(campaign.EnrolmentStatuses, campaign.EnrolmentStatusNames),
		SiteKinds:         names(campaign.SiteKindOrder, campaign.SiteKinds),
		WarmthResults:     names(campaign.WarmthResults, campaign.WarmthResultNames),
		ImportActions:     names(importer.Actions, importer.ActionNames),

		PolicyParams: policy.ParamSpecs,
	}
	for _, l := range []int{org.District, org.SubDistrict, org.Community, org.Grassroots} {
		v.OrgLevels = append(v.OrgLevels, named{strconv.Itoa(l), org.LevelNames[l]})
	}
	for t, docs := range relief.RequiredDocs {
		v.RequiredDocuments[string(t)] = docs
	}
	actions, err := auditActionNames()
	if err != nil {
		panic(err) // TestVocabulary_NamesEveryAuditAction says which
	}
	codes := make([]string, 0, len(actions))
	for c := range actions {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	v.AuditActions = names(codes, actions)
	return v
}

var servedVocabulary = buildVocabulary()

// getVocabulary answers the names of the codes; every logged-in user, a one-time password included, needs
// them to read any page.
func (s *Server) getVocabulary(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.JSON(http.StatusOK, servedVocabulary)
}
