// Video edit page: frame 1 of the uploaded clip (a PNG the server decoded) on a canvas, a mask painted over it (brush, box, eraser, undo, zoom),
// exported as one PNG (white = the object, black = keep) at frame 1's size; and two players kept in sync.
const editors = new Map();
const MaxUndo = 30;
const MaxFitHeight = 480;

function pointFrom(editor, event) {
    const rect = editor.overlay.getBoundingClientRect();
    return {
        x: (event.clientX - rect.left) * editor.overlay.width / rect.width,
        y: (event.clientY - rect.top) * editor.overlay.height / rect.height,
    };
}

function snapshot(editor) {
    editor.undo.push(editor.maskContext.getImageData(0, 0, editor.mask.width, editor.mask.height));
    if (editor.undo.length > MaxUndo) {
        editor.undo.shift();
    }
}

function render(editor) {
    const g = editor.overlay.getContext('2d');
    g.clearRect(0, 0, editor.overlay.width, editor.overlay.height);
    g.globalCompositeOperation = 'source-over';
    g.drawImage(editor.mask, 0, 0);
    g.globalCompositeOperation = 'source-in';
    g.fillStyle = 'rgba(255, 32, 96, 0.55)';
    g.fillRect(0, 0, editor.overlay.width, editor.overlay.height);
    g.globalCompositeOperation = 'source-over';
    editor.host.dataset.maskPixels = String(countMask(editor));
}

function countMask(editor) {
    const data = editor.maskContext.getImageData(0, 0, editor.mask.width, editor.mask.height).data;
    let marked = 0;
    for (let i = 3; i < data.length; i += 4) {
        if (data[i] >= 128) {
            marked++;
        }
    }
    return marked;
}

function stroke(editor, from, to) {
    const g = editor.maskContext;
    g.globalCompositeOperation = editor.tool === 'eraser' ? 'destination-out' : 'source-over';
    g.strokeStyle = '#fff';
    g.fillStyle = '#fff';
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.lineWidth = editor.brush;
    g.beginPath();
    g.moveTo(from.x, from.y);
    g.lineTo(to.x, to.y);
    g.stroke();
    g.beginPath();
    g.arc(to.x, to.y, editor.brush / 2, 0, Math.PI * 2);
    g.fill();
    g.globalCompositeOperation = 'source-over';
}

function onDown(editor, event) {
    if (!editor.ready || event.button !== 0) {
        return;
    }
    event.preventDefault();
    editor.overlay.setPointerCapture(event.pointerId);
    snapshot(editor);
    editor.start = pointFrom(editor, event);
    editor.last = editor.start;
    editor.drawing = true;
    if (editor.tool !== 'box') {
        stroke(editor, editor.start, editor.start);
        render(editor);
    }
}

function onMove(editor, event) {
    if (!editor.drawing) {
        return;
    }
    const p = pointFrom(editor, event);
    if (editor.tool === 'box') {
        editor.maskContext.putImageData(editor.undo[editor.undo.length - 1], 0, 0);
        const g = editor.maskContext;
        g.fillStyle = '#fff';
        g.fillRect(Math.min(editor.start.x, p.x), Math.min(editor.start.y, p.y), Math.abs(p.x - editor.start.x), Math.abs(p.y - editor.start.y));
    } else {
        stroke(editor, editor.last, p);
    }
    editor.last = p;
    render(editor);
}

function onUp(editor, event) {
    if (!editor.drawing) {
        return;
    }
    onMove(editor, event);
    editor.drawing = false;
    editor.dotnet.invokeMethodAsync('MaskChanged', countMask(editor));
}

/** Shows frame 1 (the PNG at frameUrl) in the host's canvases and enables drawing; reports FrameReady(width, height) or FrameFailed(message). */
export function init(id, host, frameUrl, dotnet) {
    dispose(id);
    const frame = host.querySelector('canvas.mask-frame');
    const overlay = host.querySelector('canvas.mask-overlay');
    const mask = document.createElement('canvas');
    const editor = {
        host, frame, overlay, mask, maskContext: mask.getContext('2d', { willReadFrequently: true }), dotnet,
        tool: 'brush', brush: 12, zoom: 1, undo: [], drawing: false, ready: false, image: new Image(),
    };
    editors.set(id, editor);
    host.dataset.frameReady = 'false';

    const image = editor.image;
    image.addEventListener('error', () => dotnet.invokeMethodAsync('FrameFailed', 'frame 1 could not be loaded; upload the video again'));
    image.addEventListener('load', () => {
        const w = image.naturalWidth;
        const h = image.naturalHeight;
        for (const c of [frame, overlay, mask]) {
            c.width = w;
            c.height = h;
        }
        frame.getContext('2d').drawImage(image, 0, 0, w, h);
        editor.ready = true;
        setZoom(id, editor.zoom);
        render(editor);
        host.dataset.frameReady = 'true';
        dotnet.invokeMethodAsync('FrameReady', w, h);
    }, { once: true });
    image.src = frameUrl;

    editor.handlers = {
        pointerdown: e => onDown(editor, e),
        pointermove: e => onMove(editor, e),
        pointerup: e => onUp(editor, e),
        pointercancel: e => onUp(editor, e),
    };
    for (const [name, handler] of Object.entries(editor.handlers)) {
        overlay.addEventListener(name, handler);
    }
}

/** Chooses the tool: brush, box or eraser. */
export function setTool(id, tool) {
    const editor = editors.get(id);
    if (editor && ['brush', 'box', 'eraser'].includes(tool)) {
        editor.tool = tool;
    }
}

/** Sets the brush and eraser diameter in frame pixels. */
export function setBrush(id, size) {
    const editor = editors.get(id);
    if (editor) {
        editor.brush = Math.max(1, Math.min(256, size));
    }
}

/** Scales the shown frame (1 = fitted to the page); the mask keeps frame 1's size. */
export function setZoom(id, zoom) {
    const editor = editors.get(id);
    if (!editor) {
        return;
    }
    editor.zoom = Math.max(0.25, Math.min(8, zoom));
    // zoom 1 fits the frame to the panel (small clips are scaled up, pixelated), bounded to a comfortable height
    const fit = editor.host.clientWidth > 0 && editor.frame.width > 0
        ? Math.min(editor.host.clientWidth / editor.frame.width, MaxFitHeight / editor.frame.height)
        : 1;
    const width = `${Math.round(editor.frame.width * fit * editor.zoom)}px`;
    for (const c of [editor.frame, editor.overlay]) {
        c.style.width = width;
    }
}

/** Takes back the last stroke or box; returns the marked pixel count after it. */
export function undo(id) {
    const editor = editors.get(id);
    if (!editor || editor.undo.length === 0) {
        return editor ? countMask(editor) : 0;
    }
    editor.maskContext.putImageData(editor.undo.pop(), 0, 0);
    render(editor);
    return countMask(editor);
}

/** Clears the mask (undoable). */
export function clear(id) {
    const editor = editors.get(id);
    if (!editor) {
        return;
    }
    snapshot(editor);
    editor.maskContext.clearRect(0, 0, editor.mask.width, editor.mask.height);
    render(editor);
}

/** The mask as PNG bytes at frame 1's size (white = marked), or null when nothing is marked. */
export async function exportMask(id) {
    const editor = editors.get(id);
    if (!editor || !editor.ready || countMask(editor) === 0) {
        return null;
    }
    const out = document.createElement('canvas');
    out.width = editor.mask.width;
    out.height = editor.mask.height;
    const g = out.getContext('2d');
    g.fillStyle = '#000';
    g.fillRect(0, 0, out.width, out.height);
    g.drawImage(editor.mask, 0, 0);
    const blob = await new Promise(resolve => out.toBlob(resolve, 'image/png'));
    return new Uint8Array(await blob.arrayBuffer());
}

/** Releases an editor's listeners and image. */
export function dispose(id) {
    const editor = editors.get(id);
    if (!editor) {
        return;
    }
    for (const [name, handler] of Object.entries(editor.handlers ?? {})) {
        editor.overlay.removeEventListener(name, handler);
    }
    editor.image.removeAttribute('src');
    editors.delete(id);
}

/** Keeps the follower player on the leader's play state, position and rate; the follower stays muted. */
export function syncPlayers(leader, follower) {
    if (!leader || !follower || leader.dataset.synced === 'true') {
        return;
    }
    leader.dataset.synced = 'true';
    follower.muted = true;
    const align = () => {
        if (Math.abs(follower.currentTime - leader.currentTime) > 0.05) {
            follower.currentTime = leader.currentTime;
        }
    };
    leader.addEventListener('play', () => { align(); follower.play().catch(() => { }); });
    leader.addEventListener('pause', () => { follower.pause(); align(); });
    leader.addEventListener('seeked', align);
    leader.addEventListener('ratechange', () => { follower.playbackRate = leader.playbackRate; });
    leader.addEventListener('timeupdate', () => {
        if (Math.abs(follower.currentTime - leader.currentTime) > 0.25) {
            follower.currentTime = leader.currentTime;
        }
    });
}
