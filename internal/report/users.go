package report

import (
	"context"
	"strings"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/export"
)

// Users exports the user list (用户管理) that f selects, for admins: who may log in, in which org and with
// which roles.
func (s *Service) Users(ctx context.Context, a actor.Actor, f auth.UserFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "用户列表不含证件号码，无需不打码导出"); err != nil {
		return nil, err
	}
	sheet := export.Sheet{Name: "用户", Columns: []export.Column{
		{Title: "用户名", Width: 14}, {Title: "姓名", Width: 10}, {Title: "所属组织", Width: 24}, {Title: "角色", Width: 20},
		{Title: "状态", Width: 8}, {Title: "创建时间", Kind: export.Date, Width: 20},
	}}
	sheet.Rows = listRows[auth.User, struct{}](opt, func(page int) ([]auth.User, error) {
		f.Page, f.PerPage = page, pageSize
		users, err := (&auth.Service{DB: s.DB, Clock: s.Clock}).Users(ctx, a, f)
		return users.Items, err
	}, nil, func(u auth.User, _ struct{}, _ bool) []any {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = actor.RoleNames[r]
		}
		state := "正常"
		if u.Disabled {
			state = "已停用"
		}
		return []any{u.Username, u.Name, u.Org.Name, strings.Join(roles, "、"), state, u.CreatedAt}
	})
	return s.write(ctx, a, "users", opt, sheet)
}
