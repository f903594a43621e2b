// Every error, in Chinese: worded from the server's stable `code` and `field` (tts/errors.py,
// tts/request.py), its own (English) text only a detail. Network failures too.

// What the server calls a field → what this page calls it.
export const FIELD_NAMES = {
  text: "要朗读的文字", voice: "声音", speed: "语速", pitch: "音高", volume: "音量", eco: "节能模式",
  format: "下载格式", sample_rate: "采样率", stream: "流式播放", seed: "随机种子", async: "后台任务",
  body: "请求内容", "Content-Type": "请求类型", id: "任务", key: "API 密钥",
};

// A refusal from the server: its status, code, field, message and Retry-After.
export class ApiError extends Error {
  constructor(status, { code = "", field = null, message = "" } = {}, retryAfter = null) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
    this.field = field;
    this.retryAfter = retryAfter;
  }

  static async from(response) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch { /* not our JSON (a proxy's page) */ }
    const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    return new ApiError(response.status, error, Number.isFinite(retry) ? retry : null);
  }
}

const retryIn = (error) => (error.retryAfter ? `请 ${error.retryAfter} 秒后重试` : "请稍后重试");

// Wrong input, by field; `limits`: the text limit, the sliders' ranges.
function fieldMessage(error, limits) {
  const name = FIELD_NAMES[error.field] || error.field;
  const range = limits.ranges[error.field];
  if (!error.field) return "服务器没有接受这个请求，请检查填写的内容后重试。";
  if (error.code === "unknown_field") {
    return `服务器不认识页面发送的字段“${error.field}”：服务器可能已更新，请刷新页面。`;
  }
  switch (error.field) {
    case "text":
      return limits.chars > limits.maxChars
        ? `文字太长：共 ${limits.chars} 字，最多 ${limits.maxChars} 字。请删去一些或分段合成。`
        : "服务器没有接受这段文字（可能太长或含有无效字符），请检查后重试。";
    case "voice": return "服务器没有这个声音，请重新选择。";
    case "format": return "服务器不提供这种下载格式，请换一种。";
    case "sample_rate": return "这种格式不支持所选的采样率。";
    case "body": case "Content-Type": return "页面发出的请求格式有误，请刷新页面后再试。";
    case "key": return "需要有效的 API 密钥：请在“API 密钥”中填写。";
    default:
      return range ? `“${name}”超出范围或这个声音不支持调节：可选 ${range[0]} 到 ${range[1]}。`
        : `“${name}”的值不被接受。`;
  }
}

const BY_CODE = {
  queue_full: (e) => `服务器正忙，排队已满，${retryIn(e)}。`,
  job_store_full: (e) => `服务器暂存的结果已满，${retryIn(e)}。`,
  warming_up: () => "正在加载模型…",
  shutting_down: (e) => `服务器正在停止或重启，${retryIn(e)}。`,
  worker_stalled: (e) => `合成引擎暂时没有响应，${retryIn(e)}。`,
  unavailable: (e) => `服务暂不可用，${retryIn(e)}。`,
  engine_unavailable: () => "这个声音的模型暂时无法使用（服务器缺少模型文件或加载失败），请换一个声音。",
  rate_limited: (e) => `请求太频繁，${retryIn(e)}。`,
  unauthorized: () => "需要有效的 API 密钥：请在“API 密钥”中填写。",
  payload_too_large: () => "文字太多，超出了服务器接受的请求大小，请分段合成。",
  unsupported_media_type: () => "页面发出的请求格式有误，请刷新页面后再试。",
  nothing_to_say: () => "这段文字里没有可以朗读的内容：只有空白或标点，或只有没有声音能读的文字（如希腊字母、西里尔字母、日文假名）。",
  invalid_markup: () => "文字里的 SSML 标记或拼音注音（如“行{hang2}”）有误，请对照下面的详情修改后重试。",
  audio_too_long: () => "这段文字合成的语音超出了服务器对单次请求的时长限制，请分段合成。",
  job_not_found: () => "结果已过期或不存在，请重新合成。",
  cancelled: () => "服务器上的任务已被取消（服务器在停止，或有人取消了它），请重新合成。",
  job_not_ready: () => "结果还没有准备好，请重新合成。",
  synthesis_failed: () => "合成失败（服务器内部错误），请重试或换一段文字。",
  internal_error: () => "服务器出错了，请稍后重试。",
  request_timeout: () => "请求发送超时，请检查网络后重试。",
  misdirected_request: () => "服务器拒绝了这个访问地址（不在它允许的主机名中）。",
};

// { message (Chinese), field (to mark), detail (the server's text) } for an ApiError.
export function describeError(error, limits) {
  const detail = error.message;
  const field = error.code === "unauthorized" ? "key" : error.field;
  if (error.code in BY_CODE) return { message: BY_CODE[error.code](error), field, detail };
  if (error.status === 400 || error.code === "invalid_request" || error.code === "unknown_field") {
    return { message: fieldMessage({ code: error.code, field }, limits), field, detail };
  }
  if (error.status === 503) return { message: `服务暂不可用，${retryIn(error)}。`, field: null, detail };
  if (error.status === 502 || error.status === 504) {   // a proxy's: the server behind it is down
    return { message: `代理无法连接服务器（HTTP ${error.status}）：请确认服务器在运行，然后重试。`, field: null, detail };
  }
  if (error.status === 401) return { message: BY_CODE.unauthorized(), field: "key", detail };
  if (error.status === 429) return { message: BY_CODE.rate_limited(error), field: null, detail };
  if (error.status === 404 || error.status === 405) {
    return { message: `服务器不支持这个操作（HTTP ${error.status}），可能需要更新服务器。`, field: null, detail };
  }
  return { message: `服务器出错了（HTTP ${error.status}），请稍后重试。`, field: null, detail };
}

// This device failed to make the audio (在本机合成's worker).
export class DeviceError extends Error {}

export const deviceMessage = (error) => ({ message: "本机合成出错，语音没有做完：请重试，或关闭“在本机合成”改由服务器合成。",
  field: null, detail: error.message });

// A fetch that never got an answer, or an answer cut off midway.
export function networkMessage(error, midway = false) {
  return {
    message: midway ? "连接中断，语音没有收全：请确认服务器在运行，然后重试。"
      : "无法连接服务器：请确认服务器在运行、网络正常，然后重试。",
    field: null,
    detail: error && error.message ? error.message : "",
  };
}
