'use strict';
// The editorial admin's change form: fill the slug live as the title is typed
// or pasted (Django's prepopulate listens to key presses only).
{
    const constants = document.getElementById('django-admin-prepopulated-fields-constants');
    const fields = constants ? JSON.parse(constants.dataset.prepopulatedFields || '[]') : [];
    for (const field of fields) {
        for (const id of field.dependency_ids) {
            const source = document.querySelector(id);
            if (source) {
                source.addEventListener('input', function () {
                    source.dispatchEvent(new Event('keyup'));
                });
            }
        }
    }
}

// Live preview beside every markdown field: the text is rendered by the
// site's own renderer and sanitiser on the server (staff-only endpoint), with
// the links the public page will add, and shown as it will read.
{
    const csrfToken = function (field) {
        const input = field.form && field.form.querySelector('input[name=csrfmiddlewaretoken]');
        return input ? input.value : '';
    };
    const fields = document.querySelectorAll('textarea[data-markdown-preview]');
    for (const field of fields) {
        const pair = document.createElement('div');
        pair.className = 'markdown-pair';
        field.parentNode.insertBefore(pair, field);
        pair.appendChild(field);
        const preview = document.createElement('div');
        preview.className = 'markdown-preview';
        preview.id = field.id + '_preview';
        preview.setAttribute('aria-live', 'polite');
        preview.setAttribute('aria-label', 'Preview');
        pair.appendChild(preview);
        let timer = null;
        let sent = 0;
        const update = function () {
            const number = ++sent;
            const body = new URLSearchParams({
                text: field.value,
                kind: field.dataset.markdownPreview,
                model: field.dataset.previewModel || '',
                object: field.dataset.previewObject || '',
            });
            fetch(field.dataset.previewUrl, {
                method: 'POST',
                headers: {'X-CSRFToken': csrfToken(field)},
                body: body,
                credentials: 'same-origin',
            }).then(function (response) {
                return response.json();
            }).then(function (data) {
                if (number !== sent) {
                    return; // a newer request is on its way
                }
                // Sanitised by the server (nh3), as on the public pages.
                preview.innerHTML = data.html || '';
                preview.classList.toggle('markdown-preview-empty', !field.value.trim());
            }).catch(function () {
                preview.textContent = 'Preview unavailable.';
            });
        };
        field.addEventListener('input', function () {
            clearTimeout(timer);
            timer = setTimeout(update, 250);
        });
        update();
    }
}
