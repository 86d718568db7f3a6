;;; emacs_driver.el --- driven by test_editors.py  -*- lexical-binding: t -*-
;; Runs wensou.el in `emacs --batch' and writes what a user would see (the
;; results buffer, where each `next-error' lands, the live command's
;; results) as JSON for the driver to check.  Arguments: a JSON file named
;; by $WENSOU_TEST_ARGS.

(require 'json)
(require 'wensou)

(defvar wensou-test-args
  (let ((json-object-type 'alist) (json-key-type 'symbol))
    (json-read-file (getenv "WENSOU_TEST_ARGS"))))

(defun wensou-test-arg (key) (cdr (assq key wensou-test-args)))

(defun wensou-test-here ()
  "Where the selected window shows: file, line, column in characters."
  (let ((w (selected-window)))
    (with-current-buffer (window-buffer w)
      (save-excursion
        (goto-char (window-point w))
        `((path . ,buffer-file-name)
          (line . ,(line-number-at-pos))
          (col . ,(1+ (- (point) (line-beginning-position)))))))))

(defun wensou-test-jumps (n)
  "Visit the first N hits of the results buffer with `next-error'."
  (let (jumps)
    (dotimes (i n)
      (next-error 1 (= i 0))
      (push (wensou-test-here) jumps))
    (vconcat (nreverse jumps))))

(defun wensou-test-buffer ()
  (with-current-buffer wensou-buffer-name
    (vconcat (split-string (buffer-substring-no-properties (point-min) (point-max)) "\n"))))

(defun wensou-test-hit-count ()
  (with-current-buffer wensou-buffer-name
    (let ((n 0))
      (save-excursion
        (goto-char (point-min))
        (while (re-search-forward "^[^\n]+?:[0-9]+:[0-9]+: " nil t)
          (setq n (1+ n))))
      n)))

(defun wensou-test-run ()
  (let (out)
    (setq wensou-program (wensou-test-arg 'search)
          wensou-db (wensou-test-arg 'db))
    ;; M-x wensou
    (let ((proc (wensou (wensou-test-arg 'query))))
      (push `(finished . ,(if (wensou-wait proc 30) t :json-false)) out)
      (push `(status . ,(process-exit-status proc)) out))
    (push `(buffer . ,(wensou-test-buffer)) out)
    (push `(compilation . ,(with-current-buffer wensou-buffer-name
                             (if (derived-mode-p 'compilation-mode) t :json-false)))
          out)
    (push `(jumps . ,(wensou-test-jumps (wensou-test-hit-count))) out)
    ;; the live command's requests: two in a row, only the latest is drawn
    (let* ((first (wensou-live-send (wensou-test-arg 'live_first)))
           (server (process-id wensou--server))
           (id (wensou-live-send (wensou-test-arg 'live_query))))
      (push `(live_ids . ,(vector first id)) out)
      (push `(live_answered . ,(if (wensou-live-wait 30) t :json-false)) out)
      (push `(live_buffer . ,(wensou-test-buffer)) out)
      (push `(live_jumps . ,(wensou-test-jumps (wensou-test-hit-count))) out)
      (push `(same_server . ,(if (eql server (process-id wensou--server)) t :json-false)) out))
    (wensou-live-stop)
    out))

(let* ((out (condition-case err
                (wensou-test-run)
              (error `((error . ,(error-message-string err))))))
       (coding-system-for-write 'utf-8))
  (with-temp-file (wensou-test-arg 'out)
    (insert (json-encode out)))
  (kill-emacs (if (assq 'error out) 1 0)))
