;;; wensou.el --- Search a wensou index of policy documents  -*- lexical-binding: t -*-

;; Version: 0.1
;; Package-Requires: ((emacs "27.1"))
;; Keywords: matching, tools

;;; Commentary:

;; `M-x wensou' runs `wensou-search --json QUERY' and shows the hits in a
;; buffer in `wensou-mode', a `compilation-mode' of its own (as grep's is):
;; `next-error' (M-g n), `previous-error' (M-g p) and RET jump to the match.
;;
;; `M-x wensou-live' searches as you type: every change in the minibuffer
;; sends an as-you-type request (with a cancel of the one before) to one
;; `wensou-search --serve' process, kept for the session, and the latest
;; answer is drawn in the same results buffer.  RET goes to the first hit.
;;
;; Columns: wensou gives `column' in bytes and `column_char' in characters.
;; Emacs counts characters, so the lines of the buffer carry column_char and
;; the mode reads them as characters, not screen columns (a Chinese
;; character is two screen columns wide).

;;; Code:

(require 'compile)
(require 'json)
(require 'subr-x)

(defgroup wensou nil
  "Full-text search of a wensou index."
  :group 'tools
  :prefix "wensou-")

(defcustom wensou-program "wensou-search"
  "The wensou-search program: a name on variable `exec-path' or a file name."
  :type 'string)

(defcustom wensou-db nil
  "The index folder, passed as --db; nil: $WENSOU_DB or the default index."
  :type '(choice (const :tag "Default" nil) directory))

(defcustom wensou-limit 50
  "How many hits a search returns."
  :type 'integer)

(defcustom wensou-extra-args nil
  "More options for one-shot searches, e.g. (\"--per-doc\" \"3\")."
  :type '(repeat string))

(defcustom wensou-live-delay 0.1
  "Seconds of idle typing before `wensou-live' sends the query."
  :type 'number)

(defcustom wensou-pdf-viewer '("xdg-open" "{path}")
  "How `wensou-open-hit' opens a hit with a page (a PDF).
A list in which \"{path}\" and \"{page}\" are replaced, e.g.
\(\"zathura\" \"--page={page}\" \"{path}\")."
  :type '(repeat string))

(defvar wensou-history nil "Queries given to `wensou' and `wensou-live'.")

(defconst wensou-buffer-name "*wensou*")

;;;; Results buffer

(defvar wensou-error-regexp-alist
  '(("^\\([^\n]+?\\):\\([0-9]+\\):\\([0-9]+\\): " 1 2 3))
  "A hit line is FILE:LINE:COLUMN: text, COLUMN in characters.")

(define-compilation-mode wensou-mode "Wensou"
  "Results of a wensou search; `next-error' visits them."
  (setq-local compilation-error-regexp-alist wensou-error-regexp-alist)
  (setq-local compilation-error-screen-columns nil) ; columns are characters
  (setq-local compilation-first-column 1)
  (setq-local compilation-error-face 'compilation-info)
  (setq-local compilation-disable-input t)
  (setq-local truncate-lines t))

(define-key wensou-mode-map (kbd "o") #'wensou-open-hit)

(defun wensou--get (obj key)
  "The value of KEY (a string) in the parsed JSON object OBJ; nil for null."
  (let ((v (gethash key obj)))
    (if (eq v :null) nil v)))

(defun wensou--parse (line)
  "LINE parsed as a JSON object (a hash table), or nil."
  (condition-case nil
      (let ((obj (json-parse-string line :null-object :null :false-object nil)))
        (and (hash-table-p obj) obj))
    (error nil)))

(defun wensou--hit-line (hit)
  "The results line of HIT: PATH:LINE:COLUMN: [title > section] snippet."
  (let* ((title (wensou--get hit "title"))
         (section (wensou--get hit "section"))
         (page (wensou--get hit "page"))
         (where (string-join (delq nil (list (and title (not (string-empty-p title)) title)
                                             (and section (not (string-empty-p section)) section)))
                             " > ")))
    (propertize
     (format "%s:%d:%d: %s%s%s\n"
             (wensou--get hit "path") (wensou--get hit "line") (wensou--get hit "column_char")
             (if (string-empty-p where) "" (format "[%s] " where))
             (if page (format "(page %d) " page) "")
             (replace-regexp-in-string "\n" " " (or (wensou--get hit "snippet") "")))
     'wensou-hit hit)))

(defun wensou--buffer ()
  "The results buffer, in `wensou-mode'."
  (let ((buf (get-buffer-create wensou-buffer-name)))
    (with-current-buffer buf
      (unless (derived-mode-p 'wensou-mode)
        (wensou-mode)))
    buf))

(defun wensou--reset (buf header)
  "Empty BUF, write HEADER, and make it the buffer `next-error' uses."
  (with-current-buffer buf
    (let ((inhibit-read-only t))
      (erase-buffer)
      (insert header "\n\n"))
    (setq compilation-current-error nil)
    (setq-local overlay-arrow-position nil)
    (setq next-error-last-buffer buf)))

(defun wensou--insert (buf text)
  "Append TEXT at the end of BUF."
  (with-current-buffer buf
    (let ((inhibit-read-only t))
      (save-excursion
        (goto-char (point-max))
        (insert text)))))

(defun wensou--command (&rest args)
  "The searcher's command line with --db and ARGS."
  (append (list wensou-program)
          (and wensou-db (list "--db" (expand-file-name wensou-db)))
          args))

(defun wensou--lines (proc string)
  "Add STRING to PROC's pending output; return the complete lines."
  (let* ((text (concat (or (process-get proc 'wensou-pending) "") string))
         (lines (split-string text "\n")))
    (process-put proc 'wensou-pending (car (last lines)))
    (butlast lines)))

;;;; One-shot search

(defun wensou--oneshot-filter (proc string)
  "Add the hits in STRING, output of the search PROC, to its buffer."
  (dolist (line (wensou--lines proc string))
    (let ((obj (wensou--parse line))
          (buf (process-get proc 'wensou-buffer)))
      (when (and obj (buffer-live-p buf))
        (pcase (gethash "type" obj)
          ("hit"
           (process-put proc 'wensou-hits (1+ (process-get proc 'wensou-hits)))
           (wensou--insert buf (wensou--hit-line obj)))
          ("error"
           (process-put proc 'wensou-error (wensou--get obj "message"))))))))

(defun wensou--oneshot-sentinel (proc _event)
  "Close the results of the search PROC once it has exited."
  (unless (process-live-p proc)
    (let ((buf (process-get proc 'wensou-buffer))
          (hits (process-get proc 'wensou-hits))
          (err (process-get proc 'wensou-error))
          (code (process-exit-status proc)))
      (when (buffer-live-p buf)
        (wensou--insert buf
                        (cond (err (format "\nwensou: error: %s\n" err))
                              ((>= code 2) (format "\nwensou: exited with status %d\n" code))
                              (t (format "\nwensou finished: %d %s\n" hits
                                         (if (= hits 1) "hit" "hits"))))))
      (process-put proc 'wensou-done t))))

;;;###autoload
(defun wensou (query)
  "Search the wensou index for QUERY and list the hits in `wensou-mode'.
Returns the search process; (process-get PROC \\='wensou-done) is t once
its results are all in the buffer."
  (interactive (list (read-string "wensou: " nil 'wensou-history)))
  (when (string-blank-p query)
    (user-error "Empty query"))
  (let ((buf (wensou--buffer)))
    (with-current-buffer buf
      (let ((old (get-buffer-process buf)))
        (when (process-live-p old) (delete-process old))))
    (wensou--reset buf (format "wensou: %s" query))
    (let ((proc (make-process
                 :name "wensou"
                 :buffer buf
                 :command (apply #'wensou--command
                                 (append (list "--json" "-n" (number-to-string wensou-limit))
                                         wensou-extra-args (list "--" query)))
                 :connection-type 'pipe
                 :coding 'utf-8
                 :noquery t
                 :stderr (get-buffer-create " *wensou-stderr*")
                 :filter #'wensou--oneshot-filter
                 :sentinel #'wensou--oneshot-sentinel)))
      (process-put proc 'wensou-buffer buf)
      (process-put proc 'wensou-hits 0)
      (unless noninteractive
        (display-buffer buf))
      proc)))

(defun wensou-wait (proc &optional timeout)
  "Wait until the one-shot search PROC has finished (at most TIMEOUT s)."
  (let ((deadline (+ (float-time) (or timeout 30))))
    ;; nil, not PROC: a process that has already exited has no output to
    ;; wait for, and its sentinel runs only when Emacs reads any process
    (while (and (not (process-get proc 'wensou-done)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (process-get proc 'wensou-done)))

(defun wensou-open-hit ()
  "Open the hit on this line.
A PDF opens with `wensou-pdf-viewer' at its page, anything else in
Emacs, as `compile-goto-error' does."
  (interactive)
  (let* ((hit (get-text-property (line-beginning-position) 'wensou-hit))
         (page (and hit (wensou--get hit "page"))))
    (if (not page)
        (compile-goto-error)
      (let ((path (wensou--get hit "path")))
        (apply #'start-process "wensou-viewer" nil
               (mapcar (lambda (a)
                         (replace-regexp-in-string
                          "{page}" (number-to-string page)
                          (replace-regexp-in-string "{path}" path a t t) t t))
                       wensou-pdf-viewer))))))

;;;; As-you-type search through --serve

(defvar wensou--server nil "The `wensou-search --serve' process.")
(defvar wensou--live-id 0 "The id of the latest request sent.")
(defvar wensou--live-answered 0 "The id of the latest request answered and drawn.")
(defvar wensou--live-query nil "The query of the latest request.")
(defvar wensou--live-acc nil "Hits received for the latest request, newest first.")
(defvar wensou--live-timer nil)
(defvar wensou--live-last nil "The minibuffer text last sent.")

(defun wensou--serve-filter (proc string)
  "Collect the answer to the latest request in STRING, output of PROC."
  (dolist (line (wensou--lines proc string))
    (let ((obj (wensou--parse line)))
      (when (and obj (equal (gethash "id" obj) wensou--live-id))
        (pcase (gethash "type" obj)
          ("hit" (push obj wensou--live-acc))
          ("summary" (wensou--live-draw (nreverse wensou--live-acc) nil))
          ("error" (wensou--live-draw nil (wensou--get obj "message"))))))))

(defun wensou--live-draw (hits err)
  "Show HITS (or the error message ERR) of the latest request."
  (setq wensou--live-answered wensou--live-id
        wensou--live-acc nil)
  (let ((buf (wensou--buffer)))
    (wensou--reset buf (format "wensou (live): %s" (or wensou--live-query "")))
    (wensou--insert buf (if err
                            (format "wensou: error: %s\n" err)
                          (mapconcat #'wensou--hit-line hits "")))))

(defun wensou--serve ()
  "The --serve process, started when first needed."
  (unless (process-live-p wensou--server)
    (setq wensou--server
          (make-process :name "wensou-serve"
                        :command (wensou--command "--serve")
                        :connection-type 'pipe
                        :coding 'utf-8
                        :noquery t
                        :stderr (get-buffer-create " *wensou-serve-stderr*")
                        :filter #'wensou--serve-filter)))
  wensou--server)

(defun wensou-live-send (query)
  "Send QUERY as an as-you-type request, cancelling the one before.
Only the answer to the latest request is drawn.  Returns the request id,
or nil for an empty QUERY (which empties the results)."
  (let ((proc (wensou--serve)))
    (when (> wensou--live-id wensou--live-answered)
      (process-send-string proc (format "{\"cancel\":%d}\n" wensou--live-id)))
    (if (string-blank-p query)
        (progn (setq wensou--live-query query)
               (wensou--live-draw nil nil)
               nil)
      (setq wensou--live-id (1+ wensou--live-id)
            wensou--live-query query
            wensou--live-acc nil)
      (process-send-string
       proc
       (concat (json-serialize `((id . ,wensou--live-id) (query . ,query)
                                 (limit . ,wensou-limit) (partial . t)))
               "\n"))
      wensou--live-id)))

(defun wensou-live-wait (&optional timeout)
  "Wait until the latest request has been answered (at most TIMEOUT s)."
  (let ((deadline (+ (float-time) (or timeout 30))))
    (while (and (< wensou--live-answered wensou--live-id)
                (process-live-p wensou--server)
                (< (float-time) deadline))
      (accept-process-output wensou--server 0.05))
    (>= wensou--live-answered wensou--live-id)))

(defun wensou-live-stop ()
  "End the --serve process."
  (interactive)
  (when (process-live-p wensou--server)
    (delete-process wensou--server))
  (setq wensou--server nil))

(defun wensou--live-changed ()
  "After each command in the minibuffer: send the query once typing pauses."
  (let ((q (minibuffer-contents-no-properties)))
    (unless (equal q wensou--live-last)
      (setq wensou--live-last q)
      (when (timerp wensou--live-timer) (cancel-timer wensou--live-timer))
      (setq wensou--live-timer
            (run-with-idle-timer wensou-live-delay nil #'wensou-live-send q)))))

;;;###autoload
(defun wensou-live ()
  "Search as you type; on RET, go to the first hit of the latest answer.
The hits stay in the results buffer, for `next-error'."
  (interactive)
  (setq wensou--live-last nil)
  (wensou--serve)
  (display-buffer (wensou--buffer))
  (let ((query (minibuffer-with-setup-hook
                   (lambda () (add-hook 'post-command-hook #'wensou--live-changed nil t))
                 (unwind-protect
                     (read-from-minibuffer "wensou live: " nil nil nil 'wensou-history)
                   (when (timerp wensou--live-timer) (cancel-timer wensou--live-timer))))))
    (unless (or (string-blank-p query) (equal query wensou--live-query))
      (wensou-live-send query))
    (wensou-live-wait 5)
    (condition-case nil
        (next-error 1 t)
      (error (message "wensou: no hits")))))

(provide 'wensou)

;;; wensou.el ends here
