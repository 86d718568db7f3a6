-- Driven by test_editors.py: runs the wensou plugin in a headless Neovim
-- and writes what a user would see (the quickfix list, where each entry
-- jumps, the live picker's results and jumps) as JSON for the driver to
-- check.  Arguments: a JSON file named by $WENSOU_TEST_ARGS.
local args = vim.json.decode(table.concat(vim.fn.readfile(vim.env.WENSOU_TEST_ARGS), '\n'))
local out = {}

local function wait(what, pred)
  if not vim.wait(30000, pred, 10) then
    error('timed out waiting for ' .. what)
  end
end

local function here()
  local c = vim.api.nvim_win_get_cursor(0)
  return { path = vim.api.nvim_buf_get_name(0), line = c[1], col = c[2] + 1 }
end

local function floats()
  local n = 0
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then n = n + 1 end
  end
  return n
end

local function run()
  vim.cmd('runtime plugin/wensou.lua')
  local w = require('wensou')
  w.setup({ cmd = args.search, db = args.db })

  -- :Wensou fills the quickfix list and opens it
  vim.cmd('Wensou ' .. args.qf_query)
  wait(':Wensou', function() return w.last_search and w.last_search.done end)
  out.search_error = w.last_search.error
  out.qf_title = vim.fn.getqflist({ title = 1 }).title
  out.qf = {}
  for _, e in ipairs(vim.fn.getqflist()) do
    table.insert(out.qf, { path = vim.api.nvim_buf_get_name(e.bufnr), lnum = e.lnum, col = e.col,
                           vcol = e.vcol, text = e.text })
  end
  out.qf_window = false
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(win)
    if vim.api.nvim_buf_get_option(b, 'buftype') == 'quickfix' then out.qf_window = true end
  end
  -- where :cc N puts the cursor
  out.qf_jumps = {}
  for i = 1, #out.qf do
    vim.cmd('cc ' .. i)
    table.insert(out.qf_jumps, here())
  end

  -- the live picker: two requests in a row, only the latest is drawn
  w.live()
  out.live_floats = floats()
  local first = w.picker_query(args.live_first)
  local id = w.picker_query(args.live_query)
  out.live_ids = { first, id }
  wait('the picker', function() return w.picker.answered == id end)
  out.live_lines = vim.api.nvim_buf_get_lines(w.picker.results_buf, 0, -1, false)
  out.live_hits = {}
  for _, h in ipairs(w.picker.hits) do
    table.insert(out.live_hits, { path = h.path, line = h.line, column = h.column })
  end
  local server = w.server_job()
  w.picker_move(1)
  out.live_selected = w.picker.sel
  w.picker_select()
  out.live_jump = here()
  out.live_floats_after = floats()

  -- the prompt drives the same server: text typed in it sends a request
  w.live()
  local buf = vim.api.nvim_get_current_buf()
  local before = w.picker.id
  vim.api.nvim_buf_set_lines(buf, -2, -1, false, { 'wensou> ' .. args.qf_query })
  vim.cmd('doautocmd TextChangedI')
  out.prompt_sent = w.picker.id > before
  wait('the prompt request', function() return w.picker.answered == w.picker.id end)
  out.prompt_hits = #w.picker.hits
  out.same_server = server ~= nil and w.server_job() == server
  w.picker_close()

  -- a hit with a page goes to the viewer
  w.setup({ pdf_viewer = { 'sh', '-c', 'printf "%s %s" "$1" "$2" > "$3"', 'sh', '{page}', '{path}', args.pdf_out } })
  w.open_hit({ path = '/reports/annual report.pdf', page = 7, line = 1, column = 1 })
  wait('the viewer', function() return vim.fn.filereadable(args.pdf_out) == 1 and
                                        vim.fn.getfsize(args.pdf_out) > 0 end)
end

local ok, err = pcall(run)
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.json.encode(out) }, args.out)
vim.cmd(ok and 'qa!' or 'cquit!')
