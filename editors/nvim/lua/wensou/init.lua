-- wensou.nvim: search a wensou index from Neovim (0.7 or later).
--
--   :Wensou {query}      one-shot `wensou-search --json`, hits in the quickfix list
--   :WensouLive [query]  a picker that searches as you type through one
--                        `wensou-search --serve` process (kept for the session)
--
-- Columns: wensou's `column` counts bytes of the line, as Neovim's quickfix
-- `col` and nvim_win_set_cursor() do, so it is used as is; `column_char`
-- (code points) is not needed here.

local M = {}

M.config = {
  cmd = 'wensou-search', -- the searcher: a name on $PATH or a path
  db = nil,              -- the index folder (--db); nil: $WENSOU_DB or the default
  limit = 50,            -- hits per search
  args = {},             -- more options for every search, e.g. { '--per-doc', '3' }
  -- How a hit with a page (a PDF) is opened: a list in which '{path}' and
  -- '{page}' are replaced, e.g. { 'zathura', '--page={page}', '{path}' },
  -- or a function(path, page) that returns such a list.
  pdf_viewer = { 'xdg-open', '{path}' },
}

function M.setup(opts)
  M.config = vim.tbl_extend('force', M.config, opts or {})
end

local function is_null(v)
  return v == nil or v == vim.NIL
end

local function decode(line)
  local ok, obj = pcall(vim.json.decode, line)
  if ok and type(obj) == 'table' then
    return obj
  end
  return nil
end

local function base_cmd()
  local cmd = { M.config.cmd }
  if not is_null(M.config.db) then
    vim.list_extend(cmd, { '--db', M.config.db })
  end
  return cmd
end

-- The text shown for a hit: [title > section] (page N) snippet.
function M.hit_text(hit)
  local where = is_null(hit.title) and '' or hit.title
  if not is_null(hit.section) and hit.section ~= '' then
    where = where == '' and hit.section or (where .. ' > ' .. hit.section)
  end
  local text = where ~= '' and ('[' .. where .. '] ') or ''
  if not is_null(hit.page) then
    text = text .. '(page ' .. hit.page .. ') '
  end
  return text .. (is_null(hit.snippet) and '' or hit.snippet)
end

local function notify(msg, level)
  vim.notify('wensou: ' .. msg, level or vim.log.levels.INFO)
end

---------------------------------------------------------------------------
-- One-shot search and the quickfix list

-- State of the last one-shot search, for scripts and tests:
-- { query, done, code, hits, error }.
M.last_search = nil

-- Run `wensou-search --json QUERY` in the background; on_done(hits, err)
-- is called on the main loop when it has ended (err: a message or nil).
function M.search(query, on_done)
  local cmd = base_cmd()
  vim.list_extend(cmd, { '--json', '-n', tostring(M.config.limit) })
  vim.list_extend(cmd, M.config.args)
  vim.list_extend(cmd, { '--', query })
  local state = { query = query, done = false }
  M.last_search = state
  local out, errout = {}, {}
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data) out = data end,
    on_stderr = function(_, data) errout = data end,
    on_exit = function(_, code)
      local hits, err = {}, nil
      for _, line in ipairs(out) do
        local obj = decode(line)
        if obj and obj.type == 'hit' then
          table.insert(hits, obj)
        elseif obj and obj.type == 'error' then
          err = obj.message
        end
      end
      if code >= 2 and not err then
        err = vim.trim(table.concat(errout, '\n'))
        if err == '' then err = 'exit status ' .. code end
      end
      state.code, state.hits, state.error = code, hits, err
      state.done = true
      if on_done then on_done(hits, err) end
    end,
  })
  if not ok or job <= 0 then
    state.error = 'cannot run ' .. M.config.cmd .. (ok and '' or (': ' .. tostring(job)))
    state.done, state.hits = true, {}
    if on_done then on_done({}, state.error) end
  end
  return state
end

-- The quickfix items of hits: the byte column is Neovim's `col`.
function M.qf_items(hits)
  local items = {}
  for _, h in ipairs(hits) do
    table.insert(items, {
      filename = h.path,
      lnum = h.line,
      col = h.column,
      text = M.hit_text(h),
    })
  end
  return items
end

-- :Wensou {query}
function M.quickfix(query)
  if query == nil or vim.trim(query) == '' then
    notify('usage: :Wensou {query}', vim.log.levels.WARN)
    return nil
  end
  return M.search(query, function(hits, err)
    if err then
      notify(err, vim.log.levels.ERROR)
      return
    end
    vim.fn.setqflist({}, ' ', { title = 'wensou: ' .. query, items = M.qf_items(hits) })
    if #hits == 0 then
      notify('no hits for ' .. query)
    else
      vim.cmd('copen')
    end
  end)
end

---------------------------------------------------------------------------
-- Opening a hit

function M.pdf_command(path, page)
  local v = M.config.pdf_viewer
  if type(v) == 'function' then
    return v(path, page)
  end
  local cmd = {}
  for _, a in ipairs(v) do
    a = a:gsub('{path}', function() return path end)
    a = a:gsub('{page}', function() return tostring(page) end)
    table.insert(cmd, a)
  end
  return cmd
end

-- Jump to a hit in the current window, or open a paged document (PDF) at
-- its page with the viewer.
function M.open_hit(hit)
  if not is_null(hit.page) then
    local cmd = M.pdf_command(hit.path, hit.page)
    local ok, job = pcall(vim.fn.jobstart, cmd, { detach = true })
    if not ok or job <= 0 then
      notify('cannot run ' .. tostring(cmd[1]), vim.log.levels.ERROR)
    end
    return
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(hit.path))
  local last = vim.api.nvim_buf_line_count(0)
  pcall(vim.api.nvim_win_set_cursor, 0, { math.min(hit.line, last), math.max(hit.column - 1, 0) })
  vim.cmd('normal! zv')
end

---------------------------------------------------------------------------
-- The --serve process: started on first use, kept for the session.

local server = { job = nil, partial = '', handlers = {} }

local function server_line(line)
  if line == '' then return end
  local obj = decode(line)
  if not obj then return end
  local h = server.handlers[obj.id]
  if h then h(obj) end
end

local function server_start()
  if server.job then return server.job end
  local cmd = base_cmd()
  table.insert(cmd, '--serve')
  server.partial = ''
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    on_stdout = function(_, data)
      -- data: the chunk split at newlines; its last element is the start
      -- of a line still to come.
      data[1] = server.partial .. data[1]
      server.partial = data[#data]
      for i = 1, #data - 1 do
        server_line(data[i])
      end
    end,
    on_exit = function()
      server.job = nil
      server.handlers = {}
    end,
  })
  if not ok or job <= 0 then
    notify('cannot run ' .. M.config.cmd .. ' --serve', vim.log.levels.ERROR)
    return nil
  end
  server.job = job
  return job
end

-- The job id of the --serve process, nil when none runs.
function M.server_job()
  return server.job
end

function M.server_stop()
  if server.job then
    vim.fn.jobstop(server.job)
    server.job = nil
  end
end

local function server_send(obj)
  local job = server_start()
  if not job then return false end
  vim.fn.chansend(job, vim.json.encode(obj) .. '\n')
  return true
end

---------------------------------------------------------------------------
-- The live picker

-- picker: { id, answered, hits, sel, error, prompt_buf, prompt_win,
--           results_buf, results_win, origin_win }
M.picker = { id = 0, answered = 0, hits = {}, sel = 1 }
local ns = vim.api.nvim_create_namespace('wensou')
local PROMPT = 'wensou> '

local function draw()
  local p = M.picker
  local buf = p.results_buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then return end
  local lines = {}
  if p.error then
    lines = { 'error: ' .. p.error }
  else
    for _, h in ipairs(p.hits) do
      local name = vim.fn.fnamemodify(h.path, ':~:.')
      local loc = is_null(h.page) and (h.line .. ':' .. h.column) or ('p.' .. h.page)
      local text = (name .. ':' .. loc .. ': ' .. M.hit_text(h)):gsub('\n', ' ')
      table.insert(lines, text)
    end
  end
  vim.api.nvim_buf_set_option(buf, 'modifiable', true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_buf_set_option(buf, 'modifiable', false)
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  if #p.hits > 0 and not p.error then
    vim.api.nvim_buf_add_highlight(buf, ns, 'Visual', p.sel - 1, 0, -1)
    if p.results_win and vim.api.nvim_win_is_valid(p.results_win) then
      vim.api.nvim_win_set_cursor(p.results_win, { p.sel, 0 })
    end
  end
end

-- Send QUERY as an as-you-type request and cancel the one before it; only
-- the answer to the latest request is drawn. Returns the request id (nil
-- for an empty query, which clears the results).
function M.picker_query(query)
  local p = M.picker
  if p.id > p.answered then
    server_send({ cancel = p.id })
  end
  server.handlers[p.id] = nil
  if vim.trim(query) == '' then
    p.answered, p.hits, p.error, p.sel = p.id, {}, nil, 1
    draw()
    return nil
  end
  p.id = p.id + 1
  local id, acc = p.id, {}
  server.handlers[id] = function(obj)
    if id ~= p.id then
      server.handlers[id] = nil
      return
    end
    if obj.type == 'hit' then
      table.insert(acc, obj)
    elseif obj.type == 'summary' or obj.type == 'error' or obj.type == 'cancelled' then
      server.handlers[id] = nil
      if obj.type == 'cancelled' then return end
      p.answered = id
      p.hits, p.sel = acc, 1
      p.error = obj.type == 'error' and obj.message or nil
      draw()
    end
  end
  local req = { id = id, query = query, limit = M.config.limit, partial = true }
  if not server_send(req) then
    server.handlers[id] = nil
    return nil
  end
  return id
end

function M.picker_move(delta)
  local p = M.picker
  if #p.hits == 0 then return end
  p.sel = (p.sel - 1 + delta) % #p.hits + 1
  draw()
end

function M.picker_close()
  local p = M.picker
  if p.origin_win and vim.api.nvim_win_is_valid(p.origin_win) then
    vim.api.nvim_set_current_win(p.origin_win)
  end
  for _, w in ipairs({ p.prompt_win, p.results_win }) do
    if w and vim.api.nvim_win_is_valid(w) then
      vim.api.nvim_win_close(w, true)
    end
  end
  for _, b in ipairs({ p.prompt_buf, p.results_buf }) do
    if b and vim.api.nvim_buf_is_valid(b) then
      vim.api.nvim_buf_delete(b, { force = true })
    end
  end
  p.prompt_win, p.results_win, p.prompt_buf, p.results_buf = nil, nil, nil, nil
  vim.cmd('stopinsert')
end

-- Open the selected hit (or hit number I) and close the picker.
function M.picker_select(i)
  local p = M.picker
  local hit = p.hits[i or p.sel]
  M.picker_close()
  if hit then
    M.open_hit(hit)
  end
  return hit
end

local function prompt_text()
  local p = M.picker
  if not p.prompt_buf or not vim.api.nvim_buf_is_valid(p.prompt_buf) then return '' end
  local line = vim.api.nvim_buf_get_lines(p.prompt_buf, -2, -1, false)[1] or ''
  if line:sub(1, #PROMPT) == PROMPT then
    line = line:sub(#PROMPT + 1)
  end
  return line
end

-- :WensouLive [query]: a results window over a one-line prompt; every
-- change of the prompt sends a request. <C-n>/<C-p> (or <Down>/<Up>) move,
-- <CR> opens the hit, <Esc> closes.
function M.live(initial)
  local p = M.picker
  if p.prompt_win and vim.api.nvim_win_is_valid(p.prompt_win) then
    vim.api.nvim_set_current_win(p.prompt_win)
    return
  end
  p.origin_win = vim.api.nvim_get_current_win()
  p.hits, p.sel, p.error = {}, 1, nil
  local cols, rows = vim.o.columns, vim.o.lines
  local width = math.max(20, math.floor(cols * 0.9))
  local height = math.max(3, math.floor(rows * 0.6))
  local col = math.floor((cols - width) / 2)
  local row = math.max(0, math.floor((rows - height - 4) / 2))

  p.results_buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_option(p.results_buf, 'bufhidden', 'wipe')
  p.results_win = vim.api.nvim_open_win(p.results_buf, false, {
    relative = 'editor', row = row, col = col, width = width, height = height,
    style = 'minimal', border = 'single',
  })
  vim.api.nvim_win_set_option(p.results_win, 'wrap', false)
  vim.api.nvim_win_set_option(p.results_win, 'cursorline', false)

  p.prompt_buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_option(p.prompt_buf, 'buftype', 'prompt')
  vim.api.nvim_buf_set_option(p.prompt_buf, 'bufhidden', 'wipe')
  vim.fn.prompt_setprompt(p.prompt_buf, PROMPT)
  p.prompt_win = vim.api.nvim_open_win(p.prompt_buf, true, {
    relative = 'editor', row = row + height + 2, col = col, width = width, height = 1,
    style = 'minimal', border = 'single',
  })

  local buf = p.prompt_buf
  local last = nil
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI' }, {
    buffer = buf,
    callback = function()
      local q = prompt_text()
      if q ~= last then
        last = q
        M.picker_query(q)
      end
    end,
  })
  local function map(lhs, fn)
    vim.keymap.set({ 'i', 'n' }, lhs, fn, { buffer = buf, nowait = true })
  end
  map('<CR>', function() M.picker_select() end)
  map('<C-n>', function() M.picker_move(1) end)
  map('<Down>', function() M.picker_move(1) end)
  map('<C-p>', function() M.picker_move(-1) end)
  map('<Up>', function() M.picker_move(-1) end)
  map('<Esc>', M.picker_close)
  map('<C-c>', M.picker_close)

  if initial and initial ~= '' then
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, { PROMPT .. initial })
    last = initial
    M.picker_query(initial)
  end
  vim.cmd('startinsert!')
  server_start()
end

vim.api.nvim_create_autocmd('VimLeavePre', { callback = M.server_stop })

return M
