-- :Wensou {query} fills the quickfix list; :WensouLive [query] searches as you type.
if vim.g.loaded_wensou then
  return
end
vim.g.loaded_wensou = 1

vim.api.nvim_create_user_command('Wensou', function(o)
  require('wensou').quickfix(o.args)
end, { nargs = '+', desc = 'wensou: search the index, hits in the quickfix list' })

vim.api.nvim_create_user_command('WensouLive', function(o)
  require('wensou').live(o.args)
end, { nargs = '*', desc = 'wensou: search as you type' })
